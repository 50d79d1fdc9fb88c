// @vitest-environment node
// The small rules of the trust lifecycle, without I/O: which due removals a member carries out
// (src/channels/removals.ts), why someone cannot be added yet (pending confirmation), names
// isolated in sentences, and when the workspace reads the directory again.
import { afterEach, describe, expect, it } from 'vitest';
import type { DueRemoval, MemberTrust } from '../src/channels/model';
import { dueRemovals, isLeaving, leavesDue, mayCarryOut } from '../src/channels/removals';
import { isolatedNames, policyRefusal } from '../src/channels/text';
import { setLanguage, t } from '../src/i18n';
import { unknownMembersKey } from '../src/workspace/directory';

afterEach(() => setLanguage('en', null));

const ME = { userId: 'alice', deviceId: 'alice-laptop' };
const leaf = (userId: string, deviceId: string, n: number): MemberTrust => ({ userId, deviceId, leaf: n });
const MEMBERS = [leaf('alice', 'alice-laptop', 0), leaf('alice', 'alice-phone', 1), leaf('bob', 'bob-browser', 2), leaf('bob', 'bob-pc', 3), leaf('carol', 'carol-phone', 4)];

describe('who carries out a due removal', () => {
  it.each<{ reason: string; may: boolean }>([
    { reason: 'leave-requested', may: true },
    { reason: 'device-revoked', may: true },
    { reason: 'member-suspended', may: true },
    { reason: 'tier-lowered', may: true },
    { reason: 'sector-changed', may: false }, // not (yet) a reason of the protocol: not ours to guess
  ])('$reason: any member $may', ({ reason, may }) => {
    expect(mayCarryOut({ userId: 'bob', deviceId: null, reason: reason as DueRemoval['reason'] })).toBe(may);
  });

  it.each<{ name: string; due: DueRemoval[]; leaves: number[] }>([
    { name: 'all of a user’s devices', due: [{ userId: 'bob', deviceId: null, reason: 'member-suspended' }], leaves: [2, 3] },
    { name: 'one device', due: [{ userId: 'bob', deviceId: 'bob-pc', reason: 'device-revoked' }], leaves: [3] },
    { name: 'a device not in the channel', due: [{ userId: 'bob', deviceId: 'bob-old', reason: 'device-revoked' }], leaves: [] },
    { name: 'my own leave request: my other device, never this one', due: [{ userId: 'alice', deviceId: null, reason: 'leave-requested' }], leaves: [1] },
    {
      name: 'several at once',
      due: [
        { userId: 'bob', deviceId: 'bob-browser', reason: 'device-revoked' },
        { userId: 'carol', deviceId: null, reason: 'leave-requested' },
      ],
      leaves: [2, 4],
    },
  ])('names the leaves: $name', ({ due, leaves }) => {
    expect(leavesDue(MEMBERS, due, ME).map((m) => m.leaf)).toEqual(leaves);
  });

  it('reads the record’s list, dropping malformed and unknown entries, plus an announced one', () => {
    const server = {
      removalsDue: [
        { userId: 'bob', deviceId: null, reason: 'tier-lowered' },
        { userId: 'carol', reason: 'leave-requested' },
        { userId: 'dan', deviceId: null, reason: 'sector-changed' },
        { deviceId: 'x', reason: 'device-revoked' },
        null,
      ] as unknown as DueRemoval[],
    };
    expect(dueRemovals(server, { userId: 'erin', deviceId: 'erin-pc', reason: 'device-revoked' })).toEqual([
      { userId: 'bob', deviceId: null, reason: 'tier-lowered' },
      { userId: 'carol', deviceId: null, reason: 'leave-requested' },
      { userId: 'erin', deviceId: 'erin-pc', reason: 'device-revoked' },
    ]);
    expect(dueRemovals({})).toEqual([]);
  });

  it('knows this member is leaving from either list', () => {
    expect(isLeaving({ leaving: ['alice'] }, 'alice')).toBe(true);
    expect(isLeaving({ removalsDue: [{ userId: 'alice', deviceId: null, reason: 'leave-requested' }] }, 'alice')).toBe(true);
    expect(isLeaving({ removalsDue: [{ userId: 'alice', deviceId: null, reason: 'tier-lowered' }] }, 'alice')).toBe(false);
  });
});

describe('adding someone whose devices wait for confirmation', () => {
  const t0 = { minTier: 'T0' as const, allowedSectors: [], retentionDays: 30, historyOnJoin: false };
  const amina = { displayName: 'Amina', tier: 'T2', sector: 'youth-work', status: 'active' };

  it.each([
    { language: 'en', pending: 1, says: 'Amina is waiting for the coordinator to confirm their device again.' },
    { language: 'en', pending: 0, says: null },
    { language: 'fr', pending: 2, says: 'Amina attend que le coordinateur confirme à nouveau son appareil.' },
    { language: 'ar', pending: 1, says: 'Amina بانتظار أن يؤكد المنسّق جهازه مجددًا.' },
  ])('greys them with the reason ($language, $pending pending)', ({ language, pending, says }) => {
    setLanguage(language, null);
    expect(policyRefusal(t0, { ...amina, devicesPendingConfirmation: pending })).toBe(says);
  });

  it('says the lasting reason first (tier) when both apply', () => {
    expect(policyRefusal({ ...t0, minTier: 'T3' }, { ...amina, devicesPendingConfirmation: 1 })).toBe('Amina is T2; this channel needs T3.');
  });
});

describe('names in a sentence', () => {
  it('are isolated, each once, so right-to-left text keeps its order', () => {
    expect(isolatedNames(['Amina', 'Bilal (Tetovo)', 'Amina'])).toBe('\u2068Amina\u2069, \u2068Bilal (Tetovo)\u2069');
    setLanguage('ar', null);
    expect(t('chat.untrustedRevoked')).toContain('{names}');
  });
});

describe('reading the directory again', () => {
  const views = [{ members: [{ userId: 'alice' }, { userId: 'bob' }] }, { members: [{ userId: 'carol' }, { userId: '?' }] }];

  it('is due while members are missing from it, once for each set', () => {
    expect(unknownMembersKey(views, new Map([['alice', {}]]))).toBe('bob,carol');
    expect(unknownMembersKey(views, new Map([['alice', {}], ['bob', {}], ['carol', {}]]))).toBe('');
    expect(unknownMembersKey([], new Map())).toBe('');
  });
});
