/**
 * What the document UI reads and calls (docs/documents.md). The sync engine (`engine.ts` and its
 * modules) implements `DocumentsService`; the views only use these types, so they can be tested
 * against a local document without a server.
 */
import type { Doc, Heads } from '@automerge/automerge/slim';

export type TemplateId = 'action-plan' | 'city-exchange' | 'small-grant' | 'event-record' | 'blank';

/** One document of a channel as the list shows it (header decrypted when a key was at hand). */
export interface DocumentSummary {
  id: string;
  channelId: string;
  /** Null while the header cannot be decrypted yet (no key for its generation). */
  title: string | null;
  template: TemplateId | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Someone else's open editor on this document. */
export interface Presence {
  userId: string;
  deviceId: string;
  name: string;
  /** The field they are in, e.g. ["risks", "<id>", "title"]; empty when none. */
  path: string[];
  /** An Automerge cursor inside that field's text, when they have a caret there. */
  cursor?: string;
  seenAt: number;
}

export interface DocumentVersion {
  id: string;
  name: string;
  heads: Heads;
  authorUserId: string;
  createdAt: string;
  /** False when the signature or decryption failed: shown, never restorable. */
  verified: boolean;
}

/**
 * - `synced`: everything local is acknowledged;
 * - `sending`: local changes are on their way;
 * - `offline`: kept locally, sent on reconnect;
 * - `waiting-for-key`: the channel's key for this document is not readable yet;
 * - `unverified`: an update or snapshot failed its signature check and was refused.
 */
export type DocumentStatus = 'synced' | 'sending' | 'offline' | 'waiting-for-key' | 'unverified';

// biome-ignore lint: documents are schemaless maps shaped by their template
export type AnyDoc = any;

export interface OpenDocument {
  readonly id: string;
  readonly channelId: string;
  /** The current state (immutable Automerge document; a new object after every change). */
  doc(): Doc<AnyDoc>;
  status(): DocumentStatus;
  /** Makes a local change (batched and sent at most every 250 ms). */
  change(fn: (d: AnyDoc) => void): void;
  /** Called after every local or remote change, status change and presence change. */
  subscribe(listener: () => void): () => void;
  presence(): Presence[];
  /** Where this editor is now (sent to the others, throttled). */
  setPresence(path: string[], cursor?: string): void;
  versions(): Promise<DocumentVersion[]>;
  saveVersion(name: string): Promise<void>;
  /** A forward change that makes the current state equal the state at those heads. */
  restore(heads: Heads): void;
  close(): void;
}

export interface DocumentsService {
  list(channelId: string): Promise<DocumentSummary[]>;
  /** Creates a document from a template and returns its id. */
  create(channelId: string, template: TemplateId, title: string): Promise<string>;
  open(channelId: string, documentId: string): Promise<OpenDocument>;
  /**
   * Writes the encrypted header the list shows (`PUT .../header`; members get `document-header`).
   * An open document calls it by itself, 1 s after the last local edit of `meta.title`.
   */
  rename(channelId: string, documentId: string, title: string, template: TemplateId): Promise<void>;
  /** Called when a channel's document list changes. */
  subscribeList(channelId: string, listener: () => void): () => void;
}
