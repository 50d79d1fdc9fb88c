import { describe, expect, it } from 'vitest';
import type { City, Organisation, User } from '../src/model';
import { AVATAR_COLOURS, avatarColour, contrast, initials } from '../src/workspace/avatar';
import { groupDirectory, placeOf, type Places } from '../src/workspace/people';
import { newArrivals, notificationFor, readNotificationSettings } from '../src/workspace/notifications';

const city = (id: string, name: string): City => ({ id, name, country: 'AL' });
const org = (id: string, cityId: string, name: string, sector: string): Organisation => ({ id, cityId, name, sector });
const user = (id: string, displayName: string, cityId: string | null, organisationId: string | null, sector = 'youth-work'): User => ({
  id, displayName, cityId, organisationId, sector, tier: 'T1', role: 'member', status: 'active', preferredLanguage: 'en', createdAt: '',
});
const places: Places = {
  cities: new Map([['c1', city('c1', 'Tirana')], ['c2', city('c2', 'Skopje')]]),
  organisations: new Map([
    ['o1', org('o1', 'c1', 'Youth Centre', 'youth-work')],
    ['o2', org('o2', 'c1', 'City Hall', 'municipality')],
    ['o3', org('o3', 'c2', 'Civic NGO', 'civil-society')],
  ]),
};

describe('people with city and organisation', () => {
  it('reads as "Organisation, City", or what is known', () => {
    expect(placeOf(user('u', 'Ana', 'c1', 'o1'), places)).toBe('Youth Centre, Tirana');
    expect(placeOf(user('u', 'Ana', 'c1', null), places)).toBe('Tirana');
    expect(placeOf(user('u', 'Ana', null, null), places)).toBe('');
    expect(placeOf(undefined, places)).toBe('');
  });

  it('groups cities → organisations → people, sorted, unknown places last', () => {
    const groups = groupDirectory(
      [user('a', 'Zana', 'c1', 'o1'), user('b', 'Besa', 'c1', 'o1'), user('c', 'Ivo', 'c2', 'o3', 'civil-society'), user('d', 'Dea', 'c1', 'o2', 'municipality'), user('e', 'Eli', null, null)],
      places,
    );
    expect(groups.map((c) => c.name)).toEqual(['Skopje', 'Tirana', '']);
    expect(groups[1].organisations.map((o) => o.name)).toEqual(['City Hall', 'Youth Centre']);
    expect(groups[1].organisations[1].people.map((p) => p.displayName)).toEqual(['Besa', 'Zana']);
  });

  it('searches names, organisations and cities without regard to case or accents, and filters by sector', () => {
    const all = [user('a', 'Chloé Martin', 'c1', 'o2', 'municipality'), user('b', 'Ivo', 'c2', 'o3', 'civil-society')];
    expect(groupDirectory(all, places, { query: 'chloe' }).map((c) => c.name)).toEqual(['Tirana']);
    expect(groupDirectory(all, places, { query: 'SKOP' })[0].organisations[0].people[0].displayName).toBe('Ivo');
    expect(groupDirectory(all, places, { query: 'civic' })[0].name).toBe('Skopje');
    expect(groupDirectory(all, places, { sector: 'municipality' }).flatMap((c) => c.organisations.flatMap((o) => o.people)).map((p) => p.id)).toEqual(['a']);
  });
});

describe('initials avatars', () => {
  it('takes first and last initials, in any script', () => {
    expect(initials('Amina Hoxha')).toBe('AH');
    expect(initials('Chloé Anne Martin')).toBe('CM');
    expect(initials('dana')).toBe('D');
    expect(initials('  ')).toBe('?');
    expect(initials('أحمد علي')).toBe('أع');
    expect(initials('Ђорђе Петровић')).toBe('ЂП');
  });

  it('keeps a colour per id, and white text is readable on every colour', () => {
    expect(avatarColour('user-1')).toBe(avatarColour('user-1'));
    const used = new Set(Array.from({ length: 50 }, (_, i) => avatarColour(`u${i}`)));
    expect(used.size).toBeGreaterThan(3);
    for (const c of AVATAR_COLOURS) expect(contrast(c, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });
});

describe('message notifications', () => {
  const text = { newMessageIn: (c: string) => `New message in ${c}` };
  const m = { channelId: 'ch', channelName: 'Case 17', senderUserId: 'bob', senderName: 'Bob', body: 'Visit on Monday' };
  const on = { enabled: true, showContent: false };

  it('says only the channel by default; sender and text only when allowed', () => {
    expect(notificationFor(m, { settings: on, hidden: true, myUserId: 'me', text })).toEqual({ title: 'New message in Case 17', body: '', tag: 'liaison-ch' });
    expect(notificationFor(m, { settings: { enabled: true, showContent: true }, hidden: true, myUserId: 'me', text })?.body).toBe('Bob: Visit on Monday');
  });

  it('never when off, when the tab is visible, or for one’s own messages', () => {
    expect(notificationFor(m, { settings: { enabled: false, showContent: true }, hidden: true, myUserId: 'me', text })).toBeNull();
    expect(notificationFor(m, { settings: on, hidden: false, myUserId: 'me', text })).toBeNull();
    expect(notificationFor(m, { settings: on, hidden: true, myUserId: 'bob', text })).toBeNull();
  });

  it('is off, without content, until chosen', () => {
    expect(readNotificationSettings({ getItem: () => null })).toEqual({ enabled: false, showContent: false });
    expect(readNotificationSettings({ getItem: () => '{bad' })).toEqual({ enabled: false, showContent: false });
  });

  it('counts as new only what arrived after the first look', () => {
    const seen = new Map<string, number>();
    expect(newArrivals(seen, [{ id: 'a', messages: [{ seq: 1 }, { seq: 2 }] }])).toEqual([]);
    expect(newArrivals(seen, [{ id: 'a', messages: [{ seq: 1 }, { seq: 2 }, { seq: 3 }, {}] }])).toEqual([{ channelId: 'a', message: { seq: 3 } }]);
    expect(newArrivals(seen, [{ id: 'a', messages: [{ seq: 3 }] }])).toEqual([]);
  });
});
