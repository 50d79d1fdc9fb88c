// @vitest-environment jsdom
import { h, render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelList } from '../src/channels/ChannelList';
import { setLanguage, t } from '../src/i18n';

const links = (canCreate: boolean) => {
  const root = document.createElement('div');
  render(h(ChannelList, { channels: [], selected: null, canCreate, go: () => {} }), root);
  return [...root.querySelectorAll('a')].map((a) => a.textContent);
};

afterEach(() => setLanguage('en', null));

describe('the channel list', () => {
  it('offers "New channel" only once this device is confirmed', () => {
    expect(links(false)).not.toContain(t('channels.new'));
    expect(links(true)).toContain(t('channels.new'));
  });
});
