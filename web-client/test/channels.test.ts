// @vitest-environment node
// The channel glue: policy and group id bytes against Java's, payload and meta formats, link
// rendering, the policy badge and refusals, and the local history record with a real ts-mls state.
import { IDBFactory } from 'fake-indexeddb';
import { createGroup, defaultCapabilities, defaultLifetime, generateKeyPackage } from 'ts-mls';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { ChannelRecord, History } from '../src/channels/history';
import { decodeText, decryptMeta, encodeText, encryptMeta, PAD_BLOCK, PayloadError } from '../src/channels/payload';
import {
  admits,
  decodeGroupId,
  decodePolicy,
  encodeGroupId,
  encodePolicy,
  newGroupId,
  PolicyError,
  samePolicy,
} from '../src/channels/policy';
import { describePolicy, humanError, linkify, policyRefusal } from '../src/channels/text';
import { ciphersuite, memberCredential } from '../src/device/identity';
import { KeyStore } from '../src/device/keystore';
import { setLanguage } from '../src/i18n';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string) => Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));

afterEach(() => setLanguage('en', null));

describe('policy and group id', () => {
  // Printed by Java: new ChannelGroupId(hex 00112233…eeff, new ChannelPolicy(2,
  // {youth-work, civil-society, municipality}, 90, false)).encode(), and
  // new ChannelPolicy(0, {}, 3650, true).encode() (jshell on crypto/target/classes).
  const JAVA_GROUP_ID =
    '126c696169736f6e2f76312f6368616e6e656c1000112233445566778899aabbccddeeff002c0102005a00030d636976696c2d736f63696574790c6d756e69636970616c6974790a796f7574682d776f726b';
  const JAVA_OPEN_POLICY = '01000e420100';

  it('encodes exactly as Java does', () => {
    const bytes = encodeGroupId({
      channelId: '00112233445566778899aabbccddeeff',
      policy: { minTier: 'T2', allowedSectors: ['youth-work', 'civil-society', 'municipality'], retentionDays: 90, historyOnJoin: false },
    });
    expect(hex(bytes)).toBe(JAVA_GROUP_ID);
    expect(hex(encodePolicy({ minTier: 'T0', allowedSectors: [], retentionDays: 3650, historyOnJoin: true }))).toBe(JAVA_OPEN_POLICY);
  });

  it('decodes Java bytes back, sectors sorted', () => {
    const id = decodeGroupId(unhex(JAVA_GROUP_ID));
    expect(id.channelId).toBe('00112233445566778899aabbccddeeff');
    expect(id.policy).toEqual({ minTier: 'T2', allowedSectors: ['civil-society', 'municipality', 'youth-work'], retentionDays: 90, historyOnJoin: false });
  });

  it('refuses what Java refuses', () => {
    expect(() => decodeGroupId(unhex(JAVA_GROUP_ID + '00'))).toThrow(PolicyError);
    expect(() => decodeGroupId(unhex(JAVA_GROUP_ID.slice(0, -2)))).toThrow(PolicyError);
    expect(() => decodePolicy(unhex('02000e420100'))).toThrow(/version/);
    expect(() => decodePolicy(unhex('01040e420100'))).toThrow(/tier/);
    // Sectors out of order: "b" then "a".
    expect(() => decodePolicy(unhex('01000e4200020162016' + '1'))).toThrow(PolicyError);
    expect(() => encodePolicy({ minTier: 'T2', allowedSectors: ['Police!'], retentionDays: 30, historyOnJoin: false })).toThrow(PolicyError);
    expect(() => encodePolicy({ minTier: 'T2', allowedSectors: [], retentionDays: 0, historyOnJoin: false })).toThrow(PolicyError);
  });

  it('makes random ids and compares policies by value', () => {
    const p = { minTier: 'T1' as const, allowedSectors: ['health', 'education'], retentionDays: 30, historyOnJoin: false };
    const a = newGroupId(p);
    const b = newGroupId(p);
    expect(a.channelId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.channelId).not.toBe(b.channelId);
    expect(samePolicy(decodeGroupId(encodeGroupId(a)).policy, { ...p, allowedSectors: ['education', 'health'] })).toBe(true);
    expect(samePolicy(p, { ...p, retentionDays: 31 })).toBe(false);
  });

  it('admits by tier and sector', () => {
    const p = { minTier: 'T2' as const, allowedSectors: ['municipality'], retentionDays: 30, historyOnJoin: false };
    expect(admits(p, 'T2', 'municipality')).toBe(true);
    expect(admits(p, 'T3', 'municipality')).toBe(true);
    expect(admits(p, 'T1', 'municipality')).toBe(false);
    expect(admits(p, 'T3', 'law-enforcement')).toBe(false);
    expect(admits({ ...p, allowedSectors: [] }, 'T2', 'law-enforcement')).toBe(true);
  });
});

describe('message payload and channel meta', () => {
  it('pads to 256-byte blocks and reads back', () => {
    const short = encodeText('hi', new Date('2026-11-23T10:00:00Z'));
    expect(short.length).toBe(PAD_BLOCK);
    expect(decodeText(short)).toEqual({ type: 'text', body: 'hi', sentAt: '2026-11-23T10:00:00.000Z' });
    const long = encodeText('x'.repeat(300));
    expect(long.length % PAD_BLOCK).toBe(0);
    expect(long.length).toBeGreaterThan(PAD_BLOCK);
    expect(decodeText(long).body).toBe('x'.repeat(300));
  });

  it('reads what Java writes, including microseconds in sentAt', () => {
    const java = new TextEncoder().encode('{"type":"text","body":"مرحبا","sentAt":"2026-11-23T10:00:00.123456Z"}');
    const padded = new Uint8Array(256);
    padded.set(java);
    expect(decodeText(padded).body).toBe('مرحبا');
  });

  it('refuses empty text, other types and garbage', () => {
    expect(() => encodeText('')).toThrow(PayloadError);
    expect(() => decodeText(new TextEncoder().encode('{"type":"file","body":"x"}'))).toThrow(PayloadError);
    expect(() => decodeText(new Uint8Array([0xff, 0xfe]))).toThrow(PayloadError);
  });

  it('encrypts meta under the epoch key; another key cannot read it', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const sealed = await encryptMeta(key, { name: 'Case 17', description: 'Referral' });
    expect(new TextDecoder().decode(sealed)).not.toContain('Case 17');
    expect(await decryptMeta(key, sealed)).toEqual({ name: 'Case 17', description: 'Referral' });
    await expect(decryptMeta(crypto.getRandomValues(new Uint8Array(32)), sealed)).rejects.toThrow(PayloadError);
    sealed[20] ^= 1;
    await expect(decryptMeta(key, sealed)).rejects.toThrow(PayloadError);
  });
});

describe('message text', () => {
  it('finds http(s) links and leaves everything else as text', () => {
    expect(linkify('see https://example.org/a?b=1, then')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ', then' },
    ]);
    expect(linkify('javascript:alert(1) <img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) <img src=x onerror=alert(1)>' },
    ]);
    expect(linkify('(https://en.wikipedia.org/wiki/Foo_(bar))')[1]).toEqual({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Foo_(bar)',
      href: 'https://en.wikipedia.org/wiki/Foo_(bar)',
    });
    expect(linkify('no links')).toEqual([{ kind: 'text', text: 'no links' }]);
  });
});

describe('the policy badge and refusals', () => {
  const t2 = { minTier: 'T2' as const, allowedSectors: [] as string[], retentionDays: 90, historyOnJoin: false };
  const allButPolice = ['civil-society', 'education', 'health', 'municipality', 'national-coordination', 'network-staff', 'social-services', 'youth-work'];

  it('says the policy plainly', () => {
    expect(describePolicy({ ...t2, allowedSectors: allButPolice })).toBe('T2 · no law enforcement · 90 days');
    expect(describePolicy(t2)).toBe('T2 · all sectors · 90 days');
    expect(describePolicy({ ...t2, minTier: 'T3', allowedSectors: ['health', 'municipality'], retentionDays: 7 })).toBe('T3 · Health, Municipality only · 7 days');
  });

  it('in the reader’s language', () => {
    setLanguage('fr', null);
    expect(describePolicy({ ...t2, allowedSectors: allButPolice })).toMatch(/^T2 · .+ · 90 jours$/);
  });

  it('names why someone cannot join', () => {
    const amina = { displayName: 'Amina', tier: 'T1', sector: 'youth-work', status: 'active' };
    expect(policyRefusal(t2, amina)).toBe('Amina is T1; this channel needs T2.');
    expect(policyRefusal({ ...t2, minTier: 'T1', allowedSectors: ['municipality'] }, amina)).toBe('Amina works in youth work, which this channel does not allow.');
    expect(policyRefusal({ ...t2, minTier: 'T1' }, amina)).toBeNull();
    expect(policyRefusal({ ...t2, minTier: 'T0' }, { ...amina, status: 'suspended' })).toBe('Amina is suspended.');
  });

  it('turns server refusals into sentences', () => {
    const refused = new ApiError(403, 'policy-violation', 'min-tier', undefined, { rule: 'min-tier', userId: 'u1' });
    expect(humanError(refused, () => 'Amina')).toBe('Amina is below this channel’s tier.');
    const amina = { displayName: 'Amina', tier: 'T1', sector: 'youth-work' };
    expect(humanError(refused, () => 'Amina', { person: () => amina, policy: t2 })).toBe('Amina is T1; this channel needs T2.');
    expect(humanError(new ApiError(403, 'policy-violation', 'x', undefined, { rule: 'new-rule' }))).toBe('This change breaks the channel’s policy.');
    expect(humanError(new ApiError(0, 'offline', 'x'))).toMatch(/cannot be reached/);
    expect(humanError(new Error('boom'))).toBe('Something went wrong');
  });
});

describe('the local history', () => {
  it('keeps the group state and the cursor in one record, and messages by seq', async () => {
    const store = await KeyStore.open('history-test', 'pw', { m: 64, t: 1, p: 1 }, new IDBFactory());
    const history = new History(store);
    const cs = await ciphersuite();
    const kp = await generateKeyPackage(memberCredential('u', 'd'), defaultCapabilities(), defaultLifetime, [], cs);
    const groupId = encodeGroupId(newGroupId({ minTier: 'T2', allowedSectors: [], retentionDays: 30, historyOnJoin: false }));
    const state = await createGroup(groupId, kp.publicPackage, kp.privatePackage, [], cs);
    const record = ChannelRecord.empty();
    record.cursor = 41;
    record.meta = { name: 'Case', description: '' };
    await history.saveChannel('c1', record, state);
    const loaded = (await history.loadChannel('c1'))!;
    expect(loaded.record.cursor).toBe(41);
    expect(loaded.record.meta).toEqual({ name: 'Case', description: '' });
    expect(hex(loaded.state!.groupContext.groupId)).toBe(hex(groupId));

    await history.putMessage('c1', { clientMessageId: 'm1', senderUserId: 'u', senderDeviceId: 'd', body: 'pending', sentAt: '', receivedAt: '', outgoing: true });
    await history.putMessage('c1', { seq: 10, senderUserId: 'v', senderDeviceId: 'e', body: 'ten', sentAt: '', receivedAt: '' });
    await history.putMessage('c1', { seq: 9, senderUserId: 'v', senderDeviceId: 'e', body: 'nine', sentAt: '', receivedAt: '' });
    expect((await history.messages('c1')).map((m) => m.body)).toEqual(['nine', 'ten', 'pending']);
    // Accepted: the pending record is replaced by the one under its seq.
    await history.putMessage('c1', { seq: 11, clientMessageId: 'm1', senderUserId: 'u', senderDeviceId: 'd', body: 'pending', sentAt: '', receivedAt: '', outgoing: true });
    expect((await history.messages('c1')).map((m) => m.seq)).toEqual([9, 10, 11]);
    expect(await history.loadChannel('other')).toBeNull();
    store.close();
  });
});

describe('the idle lock', () => {
  it('is 15 minutes, and a device can only ask for less', async () => {
    const { lockAfterMs, LOCK_AFTER_MS } = await import('../src/workspace/idleLock');
    const storage = (value: string | null) => ({ getItem: () => value });
    expect(LOCK_AFTER_MS).toBe(15 * 60_000);
    expect(lockAfterMs(storage(null))).toBe(LOCK_AFTER_MS);
    expect(lockAfterMs(storage('120000'))).toBe(120_000);
    expect(lockAfterMs(storage(String(24 * 3600_000)))).toBe(LOCK_AFTER_MS);
    expect(lockAfterMs(storage('junk'))).toBe(LOCK_AFTER_MS);
    expect(lockAfterMs(storage('10'))).toBe(LOCK_AFTER_MS);
  });
});
