/**
 * The benchmark's handle on this page's document service (web-client/bench/documents.mjs,
 * docs/benchmarks.md): `window.__liaisonBench`, set only when `localStorage['liaison.bench']` is
 * '1', which nothing in the app writes. It gives the engine and API client the page already has, and Automerge;
 * it adds no behaviour, so a page without the flag behaves exactly as one with it.
 */
import type { Api } from '../api';
import type { ChannelEngine } from '../channels/engine';

export function installBenchHook(engine: ChannelEngine, api: Api): void {
  let enabled = false;
  try {
    enabled = localStorage.getItem('liaison.bench') === '1';
  } catch {
    return; // no storage, no benchmark
  }
  if (!enabled) return;
  (window as unknown as { __liaisonBench: unknown }).__liaisonBench = {
    documents: () => engine.documents,
    /** The page's own API client (this device's session), to read what the server stores. */
    call: (method: string, path: string) => api.call(method, path),
    automerge: () => import('./automerge').then((m) => m.automerge()),
  };
}
