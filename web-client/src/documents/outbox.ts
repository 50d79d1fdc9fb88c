/**
 * This device's updates to one document that the server has not acknowledged yet, kept in the
 * encrypted key store (`document-outbox/<docId>`) with their `clientSeq`, written BEFORE they are
 * sent: a reload or a lost connection resends them, and the server's idempotence (a stored
 * `clientSeq` answers `duplicate`) makes a resend harmless. `next` is the next dense `clientSeq`.
 */
import type { KeyStore } from '../device/keystore';

export interface PendingUpdate {
  clientSeq: number;
  generation: number;
  ciphertext: string;
  signature: string;
}

interface Saved {
  next: number;
  pending: PendingUpdate[];
}

const NAME = 'document-outbox/';

export class Outbox {
  private constructor(
    private readonly store: KeyStore,
    private readonly documentId: string,
    private saved: Saved,
  ) {}

  static async load(store: KeyStore, documentId: string): Promise<Outbox> {
    const bytes = await store.get(NAME + documentId);
    const saved: Saved = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : { next: 1, pending: [] };
    return new Outbox(store, documentId, saved);
  }

  get pending(): readonly PendingUpdate[] {
    return this.saved.pending;
  }

  /** Takes the next `clientSeq` for an update `make` seals with it, and stores it before returning. */
  async add(make: (clientSeq: number) => Promise<Omit<PendingUpdate, 'clientSeq'>>): Promise<PendingUpdate> {
    const clientSeq = this.saved.next;
    const update = { clientSeq, ...(await make(clientSeq)) };
    this.saved = { next: clientSeq + 1, pending: [...this.saved.pending, update] };
    await this.save();
    return update;
  }

  async acknowledged(clientSeq: number): Promise<void> {
    this.saved = { ...this.saved, pending: this.saved.pending.filter((p) => p.clientSeq !== clientSeq) };
    await this.save();
  }

  /** Gives the pending updates the numbers from `first` on, each sealed again by `reseal`. */
  async renumber(first: number, reseal: (p: PendingUpdate, clientSeq: number) => Promise<{ ciphertext: string; signature: string }>): Promise<void> {
    const pending: PendingUpdate[] = [];
    for (const [i, p] of this.saved.pending.entries()) pending.push({ ...p, clientSeq: first + i, ...(await reseal(p, first + i)) });
    this.saved = { next: first + pending.length, pending };
    await this.save();
  }

  private save() {
    return this.store.put(NAME + this.documentId, new TextEncoder().encode(JSON.stringify(this.saved)));
  }
}
