import { describe, expect, it } from 'vitest';
import { Api, ApiError, type TokenStore } from '../src/api';

function memoryStore(initial: string | null = null): TokenStore & { value: string | null } {
  return {
    value: initial,
    getRefresh() {
      return this.value;
    },
    setRefresh(token) {
      this.value = token;
    },
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const tokens = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 900 });

describe('Api', () => {
  it('refreshes once for concurrent calls that find the token expired, then retries them', async () => {
    let refreshes = 0;
    const seen: string[] = [];
    const fetchFn = async (path: string, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>)['Authorization'];
      if (path === '/api/v1/auth/refresh') {
        refreshes++;
        expect(JSON.parse(init!.body as string)).toEqual({ refreshToken: 'refresh-1' });
        await new Promise((r) => setTimeout(r, 10));
        return json(200, tokens(2));
      }
      if (path === '/api/v1/auth/login') return json(200, tokens(1));
      seen.push(`${path} ${auth}`);
      if (auth === 'Bearer access-1') {
        return json(401, { error: { code: 'token-expired', message: 'expired' } });
      }
      return json(200, { ok: path });
    };
    const store = memoryStore();
    const api = new Api(fetchFn, store);
    await api.login('a@b.example', 'correct horse battery');

    const results = await Promise.all([
      api.call<{ ok: string }>('GET', '/api/v1/me'),
      api.call<{ ok: string }>('GET', '/api/v1/cities'),
      api.call<{ ok: string }>('GET', '/api/v1/users'),
    ]);

    expect(results.map((r) => r.ok)).toEqual(['/api/v1/me', '/api/v1/cities', '/api/v1/users']);
    expect(refreshes).toBe(1);
    expect(store.value).toBe('refresh-2');
    expect(seen.filter((s) => s.endsWith('access-2'))).toHaveLength(3);
  });

  it('signs out when the refresh token is refused', async () => {
    const store = memoryStore('stolen-and-reused');
    let signedOut = false;
    const api = new Api(
      async () => json(401, { error: { code: 'refresh-token-reused', message: 'ended' } }),
      store,
    );
    api.onSignedOut = () => {
      signedOut = true;
    };
    await expect(api.call('GET', '/api/v1/me')).rejects.toMatchObject({ code: 'refresh-token-reused' });
    expect(store.value).toBeNull();
    expect(signedOut).toBe(true);
    expect(api.signedIn).toBe(false);
  });

  it('reads the error envelope, including the field of a validation error', async () => {
    const api = new Api(
      async () =>
        json(400, {
          error: { code: 'validation-failed', message: 'password must be at least 12 characters', details: { field: 'password' } },
        }),
      memoryStore(),
    );
    const error = await api.anonymous('POST', '/api/v1/auth/register', {}).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation-failed',
      field: 'password',
      message: 'password must be at least 12 characters',
    });
  });

  it('turns a network failure or a non-JSON answer into a readable error', async () => {
    const offline = new Api(async () => {
      throw new TypeError('Failed to fetch');
    }, memoryStore());
    await expect(offline.anonymous('GET', '/health')).rejects.toMatchObject({ code: 'offline' });
    const proxy = new Api(async () => new Response('<html>Bad gateway</html>', { status: 502 }), memoryStore());
    await expect(proxy.anonymous('GET', '/health')).rejects.toMatchObject({ status: 502, code: 'http-502' });
  });
});
