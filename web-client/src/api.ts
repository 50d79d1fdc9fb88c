/**
 * The one way the web client talks to the server. Keeps the access token in memory and the
 * refresh token in sessionStorage (gone when the tab closes); on an expired access token it
 * refreshes once, shared by every call waiting at that moment, and retries.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface TokenStore {
  getRefresh(): string | null;
  setRefresh(token: string | null): void;
}

export const sessionTokenStore: TokenStore = {
  getRefresh: () => sessionStorage.getItem('liaison.refresh'),
  setRefresh: (token) =>
    token === null
      ? sessionStorage.removeItem('liaison.refresh')
      : sessionStorage.setItem('liaison.refresh', token),
};

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class Api {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<void> | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  onSignedOut: () => void = () => {};

  constructor(
    private readonly fetchFn: Fetch,
    private readonly store: TokenStore,
  ) {}

  get signedIn(): boolean {
    return this.accessToken !== null || this.store.getRefresh() !== null;
  }

  /**
   * The current access token's `sub` (user id) and `sid` (session id), read from its payload
   * without checking the signature (the server does that); null when no access token is held.
   */
  sessionClaims(): { userId: string; sessionId: string } | null {
    if (this.accessToken === null) return null;
    try {
      const payload = this.accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const claims = JSON.parse(
        new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))),
      ) as { sub?: unknown; sid?: unknown };
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') return null;
      return { userId: claims.sub, sessionId: claims.sid };
    } catch {
      return null;
    }
  }

  async login(email: string, password: string): Promise<void> {
    this.adopt(await this.send<Tokens>('POST', '/api/v1/auth/login', { email, password }, null));
  }

  async logout(): Promise<void> {
    try {
      await this.call('POST', '/api/v1/auth/logout', {});
    } finally {
      this.forget();
    }
  }

  /** An authenticated call; refreshes the session once if the access token has expired. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (this.accessToken === null) {
      await this.refresh();
    }
    try {
      return await this.send<T>(method, path, body, this.accessToken);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && this.store.getRefresh() !== null) {
        await this.refresh();
        return this.send<T>(method, path, body, this.accessToken);
      }
      throw e;
    }
  }

  /** An access token good for at least a minute (for the realtime connection's `auth` frame). */
  async freshAccessToken(): Promise<string> {
    if (this.accessToken === null || this.expiresAt - Date.now() < 60_000) await this.refresh();
    return this.accessToken!;
  }

  /** An unauthenticated call (registration, invitation preview). */
  async anonymous<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send<T>(method, path, body, null);
  }

  refresh(): Promise<void> {
    if (this.refreshing === null) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const refreshToken = this.store.getRefresh();
    if (refreshToken === null) {
      this.forget();
      throw new ApiError(401, 'missing-token', 'Sign in first');
    }
    try {
      this.adopt(
        await this.send<Tokens>('POST', '/api/v1/auth/refresh', { refreshToken }, null),
      );
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        this.forget();
      }
      throw e;
    }
  }

  private adopt(tokens: Tokens): void {
    this.accessToken = tokens.accessToken;
    this.expiresAt = Date.now() + tokens.expiresIn * 1000;
    this.store.setRefresh(tokens.refreshToken);
    clearTimeout(this.renewTimer);
    // Renew a minute early so an open tab never sends an expired token.
    const renewIn = Math.max(10, tokens.expiresIn - 60) * 1000;
    this.renewTimer = setTimeout(() => this.refresh().catch(() => {}), renewIn);
  }

  private forget(): void {
    const wasSignedIn = this.signedIn;
    this.accessToken = null;
    this.store.setRefresh(null);
    clearTimeout(this.renewTimer);
    if (wasSignedIn) {
      this.onSignedOut();
    }
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    token: string | null,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchFn(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'offline', 'The server cannot be reached');
    }
    if (response.status === 204) {
      return undefined as T;
    }
    const text = await response.text();
    const json = text === '' ? {} : safeJson(text);
    if (!response.ok) {
      throw toApiError(response.status, json);
    }
    return json as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Reads the server's error envelope; anything else becomes a generic error of that status. */
export function toApiError(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
    .error;
  const details = error?.details && typeof error.details === 'object' ? error.details : {};
  return new ApiError(
    status,
    error?.code ?? `http-${status}`,
    error?.message ?? `The server answered ${status}`,
    typeof details.field === 'string' ? details.field : undefined,
    details,
  );
}
