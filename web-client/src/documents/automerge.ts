/**
 * Automerge, loaded the first time documents are used: the slim JS build in its own chunk and
 * the wasm as a separately served file (`?url`), so the first screen does not carry either.
 * Everything else in `documents/` imports only types from Automerge and calls `automerge()`.
 */
import type * as AutomergeModule from '@automerge/automerge/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';

export type Automerge = typeof AutomergeModule;

let loading: Promise<Automerge> | undefined;

export function automerge(): Promise<Automerge> {
  loading ??= (async () => {
    const A = await import('@automerge/automerge/slim');
    // Tests (in node) initialise it from the file themselves; a browser fetches the served file.
    if (!A.isWasmInitialized()) await A.initializeWasm(wasmUrl);
    return A;
  })();
  loading.catch(() => (loading = undefined)); // a failed fetch is tried again next time
  return loading;
}
