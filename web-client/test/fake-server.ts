// Test support (not a test): the few server routes one browser's channel engine calls, in
// memory. It orders commits into a log like the delivery service (dense seqs, one per epoch);
// it does not check them (the real ts-mls state on the browser does).
import type { Api } from '../src/api';
import type { DueRemoval, LogEntry, ServerChannel } from '../src/channels/model';
import { base64url } from '../src/device/identity';
import type { Who } from './trusted-group';

export function fakeServer(self: Who, channel: ServerChannel, cursor: number) {
  const state = {
    rootKey: null as Uint8Array | null,
    revocations: [] as { seq: number; attestation: string; reason: string }[],
    channel,
    log: [] as LogEntry[],
    head: cursor,
    commits: 0,
    calls: [] as string[],
  };
  const route = async (method: string, path: string, body?: Record<string, unknown>): Promise<unknown> => {
    const url = new URL(path, 'http://x');
    state.calls.push(`${method} ${url.pathname}`);
    const c = state.channel;
    switch (`${method} ${url.pathname}`) {
      case 'GET /api/v1/network':
        return { rootKey: state.rootKey ? base64url(state.rootKey) : null };
      case 'GET /api/v1/network/attestation-revocations': {
        const after = Number(url.searchParams.get('after'));
        const items = state.revocations.filter((r) => r.seq > after);
        return { items, next: items.length ? items[items.length - 1].seq : after };
      }
      case 'GET /api/v1/channels':
        return { items: [structuredClone(c)] };
      case `GET /api/v1/channels/${c.id}`:
        return structuredClone(c);
      case 'GET /api/v1/welcomes':
      case 'GET /api/v1/devices':
        return { items: [] };
      case 'GET /api/v1/key-packages/count':
        return { oneTime: 50, lastResort: true };
      case `PUT /api/v1/channels/${c.id}/meta`:
        return {};
      case `POST /api/v1/channels/${c.id}/commits`: {
        const seq = ++state.head;
        state.commits++;
        const epoch = Number(body!.epoch);
        state.log.push({ seq, kind: 'commit', epoch, newEpoch: epoch + 1, senderUserId: self.userId, senderDeviceId: self.deviceId, sentAt: new Date().toISOString(), commit: String(body!.commit) });
        // The server drops the entries a commit carried out (here: all of them).
        c.removalsDue = [];
        c.epoch = epoch + 1;
        return { seq, epoch: epoch + 1 };
      }
      case `GET /api/v1/channels/${c.id}/messages`: {
        const after = Number(url.searchParams.get('after'));
        const items = state.log.filter((e) => e.seq > after);
        return { items, firstSeq: 1, next: items.length ? items[items.length - 1].seq : after };
      }
      default:
        throw new Error(`unexpected ${method} ${path}`);
    }
  };
  const api = {
    call: (method: string, path: string, body?: Record<string, unknown>) => route(method, path, body),
    freshAccessToken: async () => 'token',
  } as unknown as Api;
  return { api, state, due: (removals: DueRemoval[]) => (state.channel.removalsDue = removals) };
}

/** A socket the test speaks for: frames it delivers reach the engine as the server's would. */
export function fakeSocket() {
  const sent: Record<string, unknown>[] = [];
  const socket = {
    readyState: 1,
    onopen: null as null | (() => void),
    onmessage: null as null | ((e: { data: string }) => void),
    onclose: null as null | ((e: { code: number }) => void),
    send: (data: string) => sent.push(JSON.parse(data)),
    close: () => {},
  };
  return {
    sent,
    factory: () => socket as unknown as WebSocket,
    deliver: (frame: Record<string, unknown>) => socket.onmessage?.({ data: JSON.stringify(frame) }),
    opened: () => socket.onmessage !== null,
  };
}

/** Waits until `condition` holds (the engine works through frames asynchronously). */
export async function until(condition: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
