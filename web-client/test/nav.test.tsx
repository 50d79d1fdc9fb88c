// @vitest-environment jsdom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage, t } from '../src/i18n';
import { Nav, sectionOf } from '../src/workspace/Nav';

afterEach(() => setLanguage('en', null));

const shown = (showAdmin: boolean, unread = 0) => {
  const root = document.createElement('div');
  render(h(Nav, { section: 'people', showAdmin, unread, go: () => {} }), root);
  return root;
};

describe('the main navigation', () => {
  it('offers Administration only to coordinators and admins', () => {
    const labels = (r: HTMLElement) => [...r.querySelectorAll('.rail-label')].map((e) => e.textContent);
    expect(labels(shown(false))).toEqual([t('nav.conversations'), t('nav.documents'), t('nav.announcements'), t('nav.people'), t('nav.profile')]);
    expect(labels(shown(true))).toContain(t('nav.admin'));
  });

  it('marks the current section and counts unread conversations in words too', () => {
    const r = shown(false, 3);
    expect(r.querySelector('[aria-current="page"] .rail-label')?.textContent).toBe(t('nav.people'));
    // The phone's short word is decoration: the link's name stays the full label.
    expect(r.querySelector('[aria-current="page"] .rail-short')?.getAttribute('aria-hidden')).toBe('true');
    expect(r.querySelector('.rail-count')?.textContent).toBe(`3 ${t('nav.unreadSuffix')}`);
    expect(r.querySelectorAll('svg[aria-hidden="true"]').length).toBe(5);
  });

  it('maps paths to sections', () => {
    expect(sectionOf('/c/abc/documents')).toBe('conversations');
    expect(sectionOf('/new')).toBe('conversations');
    expect(sectionOf('/people')).toBe('people');
    expect(sectionOf('/')).toBe('profile');
  });
});
