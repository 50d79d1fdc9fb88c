/**
 * Turning channel data into what people read: message text split into plain text and links (never
 * HTML: the UI renders each part as a text node or an <a>), the policy badge, and human errors.
 */
import { ApiError } from '../api';
import { hasKey, SECTORS, t, tf, type MessageKey } from '../i18n';
import { errorMessage } from '../errors';
import type { ChannelPolicy } from './policy';
import { FrameError } from './realtime';

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// http(s) only: javascript:, data: and the like stay plain text.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}»”’]+$/;

export function linkify(body: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = url.match(TRAILING)?.[0] ?? '';
    // Keep a closing bracket that belongs to the URL, e.g. …/Foo_(bar)
    const keep = trailing.startsWith(')') && url.includes('(') ? ')' : '';
    url = url.slice(0, url.length - trailing.length) + keep;
    let href: string;
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
      href = parsed.href;
    } catch {
      continue;
    }
    const start = match.index ?? 0;
    if (start > at) parts.push({ kind: 'text', text: body.slice(at, start) });
    parts.push({ kind: 'link', text: url, href });
    at = start + url.length;
  }
  if (at < body.length) parts.push({ kind: 'text', text: body.slice(at) });
  return parts;
}

/**
 * Names for a sentence, each once, each isolated (U+2068 … U+2069) so a name in another script
 * or ending in punctuation cannot reorder the sentence around it (Arabic beside Latin names).
 */
export function isolatedNames(names: readonly string[]): string {
  return [...new Set(names)].map((n) => `\u2068${n}\u2069`).join(', ');
}

const sectorName = (s: string) => t(`sector.${s}` as MessageKey);

/** "T2 · no law enforcement · 90 days", in the current language. */
export function describePolicy(policy: ChannelPolicy): string {
  const parts: string[] = [policy.minTier];
  const allowed = policy.allowedSectors;
  const excluded = SECTORS.filter((s) => !allowed.includes(s));
  if (allowed.length === 0 || excluded.length === 0) parts.push(t('policy.allSectors'));
  else if (excluded.length <= 2) parts.push(excluded.map((s) => tf('policy.noSector', { sector: sectorName(s).toLocaleLowerCase() })).join(', '));
  else parts.push(tf('policy.onlySectors', { sectors: allowed.map(sectorName).join(', ') }));
  parts.push(tf('policy.days', { count: policy.retentionDays }));
  if (policy.historyOnJoin) parts.push(t('policy.historyOnJoin'));
  return parts.join(' · ');
}

/** Why a person cannot join a channel with this policy, or cannot be added yet (null when they can). */
export function policyRefusal(policy: ChannelPolicy, person: Person): string | null {
  if (person.status && person.status !== 'active') return tf('policy.reason.suspended', { name: person.displayName });
  if (Number(person.tier.slice(1)) < Number(policy.minTier.slice(1))) {
    return tf('policy.reason.minTier', { name: person.displayName, tier: person.tier, need: policy.minTier });
  }
  if (policy.allowedSectors.length > 0 && !policy.allowedSectors.includes(person.sector)) {
    return tf('policy.reason.sector', { name: person.displayName, sector: sectorName(person.sector).toLocaleLowerCase() });
  }
  // Their devices lost their attestation (a tier or role change): the server refuses to add
  // them until a coordinator confirms the devices again.
  if ((person.devicesPendingConfirmation ?? 0) > 0) return tf('policy.reason.pendingConfirmation', { name: person.displayName });
  return null;
}

type Person = { displayName: string; tier: string; sector: string; status?: string; devicesPendingConfirmation?: number };

/**
 * A human sentence for an error from the server or the engine. `names` maps user ids to names;
 * with the directory entry and the channel's policy, a tier or sector refusal says exactly why
 * ("Amina is T1; this channel needs T2").
 */
export function humanError(
  error: unknown,
  names: (userId: string) => string = (id) => id,
  context?: { person: (userId: string) => Person | undefined; policy: ChannelPolicy },
): string {
  const code = (error as { code?: string })?.code;
  const details = error instanceof ApiError ? error.details : error instanceof FrameError ? error.details : {};
  if (code === 'policy-violation') {
    const rule = String(details.rule ?? '');
    const person = typeof details.userId === 'string' ? context?.person(details.userId) : undefined;
    const exact = person && (rule === 'min-tier' || rule === 'sector') ? policyRefusal(context!.policy, person) : null;
    if (exact) return exact;
    const name = typeof details.userId === 'string' ? names(details.userId) : '';
    const key = `error.policy.${rule}`;
    return tf(hasKey(key) ? key : 'error.policy.other', { name });
  }
  return errorMessage(error);
}
