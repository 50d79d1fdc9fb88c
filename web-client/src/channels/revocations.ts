/**
 * The attestation revocation list (`GET /api/v1/network/attestation-revocations`): attestations
 * the server withdrew (a tier, role or organisation change, a revoked device, a suspension).
 * A member whose leaf carries a listed device attestation is not trusted (`trust.ts`) until a
 * new leaf with a new attestation replaces it. Kept in the encrypted key store with the seq read
 * up to, so a restart asks only for what is new and an offline start still knows the list.
 *
 * The list is only as complete as the server is honest: it can hide entries (attestation expiry
 * bounds that) or list anyone (a denial of service it could cause anyway).
 */
import type { Api } from '../api';
import type { KeyStore } from '../device/keystore';

const RECORD = 'network/attestation-revocations';
const HASH = /^[0-9a-f]{64}$/;
/** A server that never stops paging is not followed forever (500 a page: 250 000 entries). */
const MAX_PAGES = 500;

export interface RevocationPage {
  items: { seq: number; attestation: string; reason?: string }[];
  next?: number | null;
}

/** What the key store keeps: the last seq read, and each listed hash with its reason. */
export interface Revocations {
  after: number;
  reasons: Record<string, string>;
}

const empty = (): Revocations => ({ after: 0, reasons: {} });

export async function loadRevocations(store: KeyStore): Promise<Revocations> {
  const bytes = await store.get(RECORD);
  if (!bytes) return empty();
  try {
    const saved = JSON.parse(new TextDecoder().decode(bytes)) as Revocations;
    return Number.isInteger(saved.after) && saved.reasons && typeof saved.reasons === 'object' ? saved : empty();
  } catch {
    return empty(); // unreadable: read the whole list again
  }
}

/**
 * Adds a page to the list; returns the seq to ask `after` next, or null when that was the end
 * (an empty page, no `next`, or nothing new). Entries at or below what was read are repeats;
 * malformed hashes are skipped (they can name no attestation). The seq read up to is the highest
 * one seen, never a `next` beyond it: a skipped entry would never be asked for again.
 */
export function addPage(list: Revocations, page: RevocationPage): number | null {
  const before = list.after;
  for (const item of page.items ?? []) {
    if (!Number.isInteger(item.seq) || item.seq <= before) continue;
    if (typeof item.attestation === 'string' && HASH.test(item.attestation)) {
      list.reasons[item.attestation] = typeof item.reason === 'string' ? item.reason : 'revoked';
    }
    list.after = Math.max(list.after, item.seq);
  }
  if (typeof page.next !== 'number' || list.after === before) return null;
  return list.after;
}

/**
 * Reads what is new since the stored seq, page by page, and stores it. Offline or refused, what
 * was stored (and whatever pages did arrive) is what counts.
 */
export async function syncRevocations(api: Api, store: KeyStore): Promise<Revocations> {
  const list = await loadRevocations(store);
  const start = list.after;
  try {
    for (let page = 0, after: number | null = list.after; after !== null && page < MAX_PAGES; page++) {
      after = addPage(list, await api.call<RevocationPage>('GET', `/api/v1/network/attestation-revocations?after=${after}`));
    }
  } catch {
    // Offline, or a server without the list yet: keep what we have.
  }
  if (list.after !== start) await store.put(RECORD, new TextEncoder().encode(JSON.stringify(list)));
  return list;
}

/** The listed hashes, as trust checks ask for them. */
export const revokedSet = (list: Revocations): ReadonlySet<string> => new Set(Object.keys(list.reasons));
