// A DocumentsService kept in memory over real Automerge documents: what the document views are
// tested against (no network, no encryption; the sync engine has its own tests).
import * as A from '@automerge/automerge/slim';
import { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64';
import type {
  AnyDoc,
  DocumentStatus,
  DocumentSummary,
  DocumentsService,
  DocumentVersion,
  OpenDocument,
  Presence,
  TemplateId,
} from '../src/documents/model';
import { initialDocument } from '../src/documents/templates';

/** Loads the wasm once (the engine does this in the app). */
export async function loadAutomerge(): Promise<void> {
  if (!A.isWasmInitialized()) await A.initializeBase64Wasm(automergeWasmBase64);
}

const REMOTE_ACTOR = 'e1e2'.repeat(8);

interface Stored {
  summary: DocumentSummary;
  doc: A.Doc<AnyDoc>;
  versions: DocumentVersion[];
  listeners: Set<() => void>;
  presence: Presence[];
}

export class LocalDocuments implements DocumentsService {
  readonly docs = new Map<string, Stored>();
  /** Every document handed out by open(), newest last. */
  readonly opened: LocalOpenDocument[] = [];
  private readonly listListeners = new Map<string, Set<() => void>>();
  private next = 1;
  constructor(readonly userId = 'u-amina') {}

  async list(channelId: string): Promise<DocumentSummary[]> {
    return [...this.docs.values()].filter((s) => s.summary.channelId === channelId).map((s) => s.summary);
  }

  async create(channelId: string, template: TemplateId, title: string): Promise<string> {
    const id = `doc${this.next++}`.padEnd(32, '0');
    const now = new Date().toISOString();
    this.docs.set(id, {
      summary: { id, channelId, title, template, createdBy: this.userId, createdAt: now, updatedAt: now },
      doc: A.load(initialDocument(template, title)),
      versions: [],
      listeners: new Set(),
      presence: [],
    });
    for (const listener of this.listListeners.get(channelId) ?? []) listener();
    return id;
  }

  async open(channelId: string, documentId: string): Promise<LocalOpenDocument> {
    const stored = this.docs.get(documentId);
    if (!stored || stored.summary.channelId !== channelId) throw new Error('document-not-found');
    const open = new LocalOpenDocument(stored, this.userId);
    this.opened.push(open);
    return open;
  }

  async rename(channelId: string, documentId: string, title: string): Promise<void> {
    const stored = this.docs.get(documentId);
    if (!stored || stored.summary.channelId !== channelId) throw new Error('document-not-found');
    stored.summary = { ...stored.summary, title, updatedAt: new Date().toISOString() };
    for (const listener of this.listListeners.get(channelId) ?? []) listener();
  }

  subscribeList(channelId: string, listener: () => void): () => void {
    const set = this.listListeners.get(channelId) ?? new Set();
    set.add(listener);
    this.listListeners.set(channelId, set);
    return () => set.delete(listener);
  }

  /** Someone else's change, merged in as the engine would. */
  remoteChange(documentId: string, fn: (d: AnyDoc) => void): void {
    const stored = this.docs.get(documentId)!;
    // clone() keeps the actor; another member writes as another actor.
    const theirs = A.change(A.clone(stored.doc, REMOTE_ACTOR), fn);
    stored.doc = A.merge(stored.doc, theirs);
    for (const listener of stored.listeners) listener();
  }

  setPresence(documentId: string, presence: Presence[]): void {
    const stored = this.docs.get(documentId)!;
    stored.presence = presence;
    for (const listener of stored.listeners) listener();
  }
}

export class LocalOpenDocument implements OpenDocument {
  currentStatus: DocumentStatus = 'synced';
  sentPresence: { path: string[]; cursor?: string }[] = [];
  closed = false;
  constructor(
    private readonly stored: Stored,
    private readonly userId: string,
  ) {}

  get id() {
    return this.stored.summary.id;
  }
  get channelId() {
    return this.stored.summary.channelId;
  }
  doc() {
    return this.stored.doc;
  }
  status() {
    return this.currentStatus;
  }
  change(fn: (d: AnyDoc) => void): void {
    this.stored.doc = A.change(this.stored.doc, fn);
    this.stored.summary = { ...this.stored.summary, updatedAt: new Date().toISOString() };
    this.notify();
  }
  subscribe(listener: () => void): () => void {
    this.stored.listeners.add(listener);
    return () => this.stored.listeners.delete(listener);
  }
  presence() {
    return this.stored.presence;
  }
  setPresence(path: string[], cursor?: string): void {
    this.sentPresence.push({ path, cursor });
  }
  async versions() {
    return this.stored.versions;
  }
  async saveVersion(name: string): Promise<void> {
    this.stored.versions = [
      ...this.stored.versions,
      {
        id: `v${this.stored.versions.length + 1}`,
        name,
        heads: A.getHeads(this.stored.doc),
        authorUserId: this.userId,
        createdAt: new Date().toISOString(),
        verified: true,
      },
    ];
    this.notify();
  }
  versionsByName(name: string): string | undefined {
    return this.stored.versions.find((v) => v.name === name)?.id;
  }
  restore(heads: A.Heads): void {
    const then = A.view(this.stored.doc, heads);
    this.change((d) => assignDeep(d, then));
  }
  close(): void {
    this.closed = true;
  }
  private notify() {
    for (const listener of this.stored.listeners) listener();
  }
}

/** Makes the map `target` (inside a change) equal `source`, splicing texts, as a forward change. */
function assignDeep(target: AnyDoc, source: AnyDoc): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'string') {
      if (typeof target[key] === 'string') A.updateText(target, [key], value);
      else target[key] = value;
    } else if (value instanceof A.ImmutableString) {
      if (String(target[key]) !== String(value)) target[key] = new A.ImmutableString(String(value));
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
      assignDeep(target[key], value);
    } else if (target[key] !== value) {
      target[key] = value;
    }
  }
}
