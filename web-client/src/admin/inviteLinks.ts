/**
 * Invitation links this device made, kept so "copy link again" works. The server holds only a
 * hash of each code (docs/protocol.md, "Invitations"), so the link lives here: as records of the
 * device key store, encrypted at rest under the password-derived key, never in clear storage.
 */
export interface LinkStore {
  put(name: string, value: Uint8Array): Promise<void>;
  get(name: string): Promise<Uint8Array | null>;
  delete(name: string): Promise<void>;
  names(prefix?: string): Promise<string[]>;
}

const PREFIX = 'invitation-link/';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function keepLink(store: LinkStore, invitationId: string, url: string): Promise<void> {
  await store.put(PREFIX + invitationId, encoder.encode(url));
}

/** The links this device holds for `pendingIds`; records of any other invitation are deleted. */
export async function keptLinks(store: LinkStore, pendingIds: readonly string[]): Promise<Map<string, string>> {
  const pending = new Set(pendingIds);
  const links = new Map<string, string>();
  for (const name of await store.names(PREFIX)) {
    const id = name.slice(PREFIX.length);
    if (!pending.has(id)) {
      await store.delete(name);
      continue;
    }
    const value = await store.get(name);
    if (value) links.set(id, decoder.decode(value));
  }
  return links;
}
