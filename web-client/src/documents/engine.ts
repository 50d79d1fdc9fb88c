/**
 * The browser's documents (`DocumentsService`, docs/documents.md): listing and creating a
 * channel's documents, opening them (`document.ts`), and routing the `document-*` frames to the
 * open ones. Keys come from the channel's keyring (`keyring.ts`), signatures are checked against
 * the keys of the channel's leaves (each device's MLS leaf key, remembered once seen on a leaf
 * that verified). The channel engine creates this on first use (`engine.documents`); Automerge is
 * loaded only then (`automerge.ts`).
 */
import { serial } from '../channels/channelLog';
import type { Channel, EngineContext } from '../channels/model';
import type { Frame } from '../channels/realtime';
import { base64url, credentialOf } from '../device/identity';
import { newest as newestOf } from './crypto';
import { automerge } from './automerge';
import { type DocumentHost, LiveDocument } from './document';
import { ensureKeyring, heldGenerations, keyringCurrent, readKeyring } from './keyring';
import type { DocumentSummary, DocumentsService, OpenDocument, TemplateId } from './model';
import { Outbox } from './outbox';
import { openHeader, sealHeader, sealSigned, updateContext } from './records';
import { documentPath, documentsPath, type ServerDocument, type ServerUpdate } from './wire';

/** What the documents need of the channel engine. */
export interface DocumentsChannels {
  readonly context: EngineContext;
  channel(id: string): Promise<Channel>;
}

/** Member problems that say nothing against the leaf's key (it verified; the policy is another matter). */
const KEY_STILL_VALID = new Set(['policy', 'attestation-revoked']);
/** A placeholder header until the real one is sealed under the id the server makes (one padded block). */
const PLACEHOLDER_HEADER_BYTES = 12 + 256 + 16;

export class DocumentsEngine implements DocumentsService {
  private readonly opened = new Map<string, Set<LiveDocument>>();
  private readonly listListeners = new Map<string, Set<() => void>>();
  /** `<channelId>/<deviceId>` → the leaf keys that device signed with (base64url → key). */
  private readonly leafKeys = new Map<string, Map<string, Uint8Array>>();
  private readonly learned = new WeakSet<object>();
  /** The name others see beside this editor's presence. */
  displayName: () => string;

  constructor(private readonly channels: DocumentsChannels) {
    this.displayName = () => channels.context.device.userId;
  }

  private get context() {
    return this.channels.context;
  }

  // ---- DocumentsService -----------------------------------------------------------------------

  async list(channelId: string): Promise<DocumentSummary[]> {
    const c = await this.channels.channel(channelId);
    const listed = await this.context.api.call<{ documents: ServerDocument[] }>('GET', documentsPath(channelId));
    const out: DocumentSummary[] = [];
    for (const d of listed.documents) {
      let header: { title: string | null; template: TemplateId | null } = { title: null, template: null };
      const key = await this.generationKey(c, d.generation);
      if (key) header = await openHeader(key, d.id, d.generation, d.header).catch(() => header);
      out.push({ id: d.id, channelId, ...header, createdBy: d.createdBy, createdAt: d.createdAt, updatedAt: d.updatedAt });
    }
    return out;
  }

  /**
   * The server makes the id, and the header's AAD names it: the document is created with a
   * placeholder header, then the real one is written (`PUT .../header`). The first update holds
   * the template's initial change.
   */
  async create(channelId: string, template: TemplateId, title: string): Promise<string> {
    const c = await this.channels.channel(channelId);
    const newest = await this.newestGeneration(c);
    if (!newest) throw new Error('waiting-for-key');
    const placeholder = base64url(crypto.getRandomValues(new Uint8Array(PLACEHOLDER_HEADER_BYTES)));
    const created = await this.context.api.call<ServerDocument>('POST', documentsPath(channelId), { generation: newest.g, header: placeholder });
    const header = await sealHeader(newest.key, created.id, newest.g, title, template);
    await this.context.api.call('PUT', `${documentPath(channelId, created.id)}/header`, { generation: newest.g, header });

    const A = await automerge();
    const { initialDocument } = await import('./templates');
    const changes = A.saveSince(A.load(initialDocument(template, title)), []);
    const signer = this.signer();
    const outbox = await Outbox.load(this.context.device.store, created.id);
    const first = await outbox.add(async (clientSeq) => ({
      generation: newest.g,
      ...(await sealSigned(signer, newest.key, updateContext(created.id, { generation: newest.g, authorDeviceId: signer.deviceId, clientSeq }), changes)),
    }));
    // Offline, it stays in the outbox and goes out when the document is opened.
    await this.context.api
      .call('POST', `${documentPath(channelId, created.id)}/updates`, first)
      .then(() => outbox.acknowledged(first.clientSeq))
      .catch((e) => console.warn('first document update kept for later', e));
    this.listChanged(channelId);
    return created.id;
  }

  async rename(channelId: string, documentId: string, title: string, template: TemplateId): Promise<void> {
    const c = await this.channels.channel(channelId);
    const newest = await this.newestGeneration(c);
    if (!newest) throw new Error('waiting-for-key');
    const header = await sealHeader(newest.key, documentId, newest.g, title, template);
    await this.context.api.call('PUT', `${documentPath(channelId, documentId)}/header`, { generation: newest.g, header });
    this.listChanged(channelId);
  }

  async open(channelId: string, documentId: string): Promise<OpenDocument> {
    const c = await this.channels.channel(channelId);
    const A = await automerge();
    const doc = await LiveDocument.open(A, this.hostFor(c), channelId, documentId);
    let set = this.opened.get(documentId);
    if (!set) this.opened.set(documentId, (set = new Set()));
    set.add(doc);
    return doc;
  }

  subscribeList(channelId: string, listener: () => void): () => void {
    let set = this.listListeners.get(channelId);
    if (!set) this.listListeners.set(channelId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  // ---- from the channel engine ----------------------------------------------------------------

  onFrame(frame: Frame): void {
    const channelId = String(frame.channelId);
    const documentId = String(frame.documentId ?? '');
    const docs = [...(this.opened.get(documentId) ?? [])];
    switch (frame.type) {
      case 'document-created':
      case 'document-header':
        this.listChanged(channelId);
        break;
      case 'document-updated':
        for (const d of docs) void d.received(Number(frame.seq), frame.update as ServerUpdate | undefined);
        break;
      case 'document-snapshot':
        void this.channels.channel(channelId).then((c) => {
          const g = newestOf(heldGenerations(c)) ?? -1;
          for (const d of docs) d.snapshotWritten(Number(frame.coversSeq), g);
        });
        break;
      case 'document-version':
        for (const d of docs) d.versionAdded();
        break;
      case 'document-keyring':
        void this.keyringStored(channelId, Number(frame.epoch)).catch((e) => console.warn('document keyring', e));
        break;
      case 'document-presence':
        for (const d of docs) void d.presenceReceived(frame as unknown as Parameters<LiveDocument['presenceReceived']>[0]);
        break;
      default:
        break;
    }
  }

  /** The connection is back: every open document catches up and sends what waits. */
  reconnected(): void {
    for (const set of this.opened.values()) for (const d of set) void d.reconnected();
  }

  /** The channel engine stopped: open documents stop their timers. */
  stop(): void {
    for (const set of this.opened.values()) for (const d of set) d.stop();
    this.opened.clear();
  }

  private async keyringStored(channelId: string, epoch: number) {
    const c = await this.channels.channel(channelId);
    await serial(c, async () => {
      if (c.state && !keyringCurrent(c) && epoch === Number(c.state.groupContext.epoch)) await readKeyring(this.context, c);
    });
    for (const set of this.opened.values()) for (const d of set) if (d.channelId === channelId) await d.keyringChanged();
  }

  private listChanged(channelId: string) {
    for (const l of this.listListeners.get(channelId) ?? []) l();
  }

  // ---- keys -----------------------------------------------------------------------------------

  private signer() {
    return { deviceId: this.context.device.deviceId, signKey: this.context.device.identity.signKey };
  }

  private hostFor(c: Channel): DocumentHost {
    return {
      api: this.context.api,
      store: this.context.device.store,
      signer: this.signer(),
      generationKey: (g) => this.generationKey(c, g),
      newestGeneration: () => this.newestGeneration(c),
      verifyKeys: (deviceId) => this.verifyKeys(c, deviceId),
      sendFrame: (frame) => this.context.realtime?.send(frame) ?? false,
      displayName: () => this.displayName(),
      rename: (documentId, title, template) => this.rename(c.id, documentId, title, template),
      closed: (doc) => this.opened.get(doc.id)?.delete(doc),
    };
  }

  /** The key of generation g; reads the current keyring once when it is not held. */
  private async generationKey(c: Channel, g: number): Promise<Uint8Array | null> {
    const held = heldGenerations(c).get(g);
    if (held || keyringCurrent(c)) return held ?? null;
    await ensureKeyring(this.context, c, (step) => serial(c, step), async () => false);
    return heldGenerations(c).get(g) ?? null;
  }

  /**
   * The newest generation, once the current epoch's keyring is held (written when missing; a
   * channel without documents may start one).
   */
  private async newestGeneration(c: Channel): Promise<{ g: number; key: Uint8Array } | null> {
    if (!keyringCurrent(c)) {
      const mayStart = async () => (await this.context.api.call<{ documents: unknown[] }>('GET', documentsPath(c.id))).documents.length === 0;
      await ensureKeyring(this.context, c, (step) => serial(c, step), mayStart);
    }
    const held = heldGenerations(c);
    const g = newestOf(held);
    return g === undefined ? null : { g, key: held.get(g)! };
  }

  /** Every key this device was seen with on a leaf of the channel whose credential verified. */
  private verifyKeys(c: Channel, deviceId: string): Uint8Array[] {
    if (c.state && !this.learned.has(c.state)) {
      this.learned.add(c.state);
      const tree = c.state.ratchetTree;
      for (let i = 0; i < tree.length; i += 2) {
        const node = tree[i];
        if (!node || node.nodeType !== 'leaf') continue;
        const member = c.members.find((m) => m.leaf === i / 2);
        if (!member || (member.problem && !KEY_STILL_VALID.has(member.problem))) continue;
        const device = credentialOf(node.leaf.credential).deviceId;
        const name = `${c.id}/${device}`;
        let keys = this.leafKeys.get(name);
        if (!keys) this.leafKeys.set(name, (keys = new Map()));
        keys.set(base64url(node.leaf.signaturePublicKey), node.leaf.signaturePublicKey);
      }
    }
    return [...(this.leafKeys.get(`${c.id}/${deviceId}`)?.values() ?? [])];
  }
}
