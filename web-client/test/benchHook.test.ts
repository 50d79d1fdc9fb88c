// The benchmark hook exists only in pages that opted in (docs/documents.md, "Benchmarks").
import { afterEach, describe, expect, it } from 'vitest';
import type { Api } from '../src/api';
import type { ChannelEngine } from '../src/channels/engine';
import { installBenchHook } from '../src/documents/benchHook';

const w = window as unknown as { __liaisonBench?: { documents(): unknown; call(m: string, p: string): Promise<unknown> } };
const documents = { marker: 'the engine documents' };
const engine = { documents } as unknown as ChannelEngine;
const calls: string[] = [];
const api = { call: async (method: string, path: string) => calls.push(`${method} ${path}`) } as unknown as Api;

afterEach(() => {
  localStorage.clear();
  delete w.__liaisonBench;
});

describe('installBenchHook', () => {
  it('sets nothing without the flag, or with another value', () => {
    installBenchHook(engine, api);
    expect(w.__liaisonBench).toBeUndefined();
    localStorage.setItem('liaison.bench', 'true');
    installBenchHook(engine, api);
    expect(w.__liaisonBench).toBeUndefined();
  });

  it("hands out the page's own engine and API client when the flag is '1'", async () => {
    localStorage.setItem('liaison.bench', '1');
    installBenchHook(engine, api);
    expect(w.__liaisonBench?.documents()).toBe(documents);
    await w.__liaisonBench?.call('GET', '/api/v1/x');
    expect(calls).toEqual(['GET /api/v1/x']);
  });
});
