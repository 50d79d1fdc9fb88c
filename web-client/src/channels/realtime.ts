/**
 * The device's one realtime connection (`/api/v1/realtime`, docs/protocol.md "Realtime"):
 * authenticates with a first `auth` frame (browsers cannot set headers on a WebSocket), hands
 * every server frame to the engine, matches `ack`/`error` answers to requests by
 * `clientMessageId`, and reconnects on its own with growing pauses (the engine then catches up
 * from its cursors). A 4401 close means the session or device ended: it stops and says so.
 */
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'ended';

export type Frame = { type: string } & Record<string, unknown>;

export class FrameError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface RealtimeOptions {
  url: string;
  /** A fresh access token (the Api refreshes it when needed). */
  token: () => Promise<string>;
  onFrame: (frame: Frame) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** Pauses between attempts, in ms; the last one repeats. */
  backoff?: number[];
  requestTimeoutMs?: number;
  socketFactory?: (url: string) => WebSocket;
}

const DEFAULT_BACKOFF = [500, 1000, 2000, 4000, 8000, 15000];
const PING_EVERY_MS = 25_000;
/** A connection that does not answer a ping within this long is dead (e.g. a sleeping laptop). */
const PONG_WITHIN_MS = 10_000;

export function realtimeUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/realtime`;
}

export class Realtime {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly waiting = new Map<string, { resolve: (f: Frame) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  status: ConnectionStatus = 'offline';

  constructor(private readonly options: RealtimeOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    addEventListener?.('online', this.reconnectNow);
    addEventListener?.('offline', this.wentOffline);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    removeEventListener?.('online', this.reconnectNow);
    removeEventListener?.('offline', this.wentOffline);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.socket?.close(1000);
    this.socket = null;
    this.failWaiting(new FrameError('offline', 'disconnected'));
    this.setStatus('offline');
  }

  /** Sends a frame if the connection is open; false otherwise (the caller retries later). */
  send(frame: Frame): boolean {
    if (this.status !== 'online' || this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame carrying a `clientMessageId` and resolves with its `ack` (or rejects with its `error`). */
  request(frame: Frame & { clientMessageId: string }): Promise<Frame> {
    return new Promise((resolve, reject) => {
      if (!this.send(frame)) {
        reject(new FrameError('offline', 'not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.waiting.delete(frame.clientMessageId);
        reject(new FrameError('timeout', 'no answer from the server'));
      }, this.options.requestTimeoutMs ?? 15_000);
      this.waiting.set(frame.clientMessageId, { resolve, reject, timer });
    });
  }

  private readonly reconnectNow = () => {
    if (this.stopped || this.status === 'online' || this.status === 'connecting') return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  };

  /** The browser says the network is gone: do not wait for TCP to notice. */
  private readonly wentOffline = () => {
    if (!this.stopped && this.socket) this.drop(this.socket);
  };

  /** Gives up on a socket at once (its close event may take long on a dead network). */
  private drop(socket: WebSocket) {
    if (this.socket !== socket) return;
    this.socket = null;
    socket.onclose = socket.onmessage = socket.onopen = null;
    socket.close(4000);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.failWaiting(new FrameError('offline', 'connection lost'));
    this.retry();
  }

  private ping() {
    if (!this.send({ type: 'ping' })) return;
    clearTimeout(this.pongTimer);
    const socket = this.socket;
    if (socket) this.pongTimer = setTimeout(() => this.drop(socket), PONG_WITHIN_MS);
  }

  private setStatus(status: ConnectionStatus) {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus(status);
  }

  private async open() {
    if (this.stopped) return;
    // After a loss, stay "offline" (the banner stays up) until the server says ready again.
    if (this.status !== 'offline') this.setStatus('connecting');
    let token: string;
    try {
      token = await this.options.token();
    } catch (e) {
      if ((e as { status?: number }).status === 401) return this.end();
      return this.retry();
    }
    if (this.stopped) return;
    const socket = (this.options.socketFactory ?? ((u) => new WebSocket(u)))(this.options.url);
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token }));
    socket.onmessage = (event) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(event.data)) as Frame;
      } catch {
        return;
      }
      if (frame.type === 'ready') {
        this.attempt = 0;
        this.setStatus('online');
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
      }
      if (frame.type === 'pong') {
        clearTimeout(this.pongTimer);
        return;
      }
      const id = typeof frame.clientMessageId === 'string' ? frame.clientMessageId : null;
      const waiter = id ? this.waiting.get(id) : undefined;
      if (waiter && (frame.type === 'ack' || frame.type === 'error')) {
        this.waiting.delete(id!);
        clearTimeout(waiter.timer);
        if (frame.type === 'ack') waiter.resolve(frame);
        else waiter.reject(new FrameError(String(frame.code), String(frame.message ?? frame.code), (frame.details as Record<string, unknown>) ?? {}));
        return;
      }
      this.options.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
      this.failWaiting(new FrameError('offline', 'connection lost'));
      if (event.code === 4401) return this.end();
      this.retry();
    };
  }

  private end() {
    this.stopped = true;
    this.setStatus('ended');
  }

  private retry() {
    if (this.stopped) return;
    this.setStatus('offline');
    const steps = this.options.backoff ?? DEFAULT_BACKOFF;
    const pause = steps[Math.min(this.attempt++, steps.length - 1)];
    this.retryTimer = setTimeout(() => this.open(), pause * (0.8 + Math.random() * 0.4));
  }

  private failWaiting(error: Error) {
    for (const [, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.waiting.clear();
  }
}
