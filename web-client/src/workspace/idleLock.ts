/** Idle time after which the key store locks (the member unlocks with the password). */
export const LOCK_AFTER_MS = 15 * 60_000;
export const LOCK_AFTER_KEY = 'liaison.lockAfterMs';

/**
 * The idle time for this device: 15 minutes, or less if this device asks for less (a shared
 * computer; the browser tests). A stored value can only shorten it, never lengthen it.
 */
export function lockAfterMs(storage: Pick<Storage, 'getItem'> | null = safeLocalStorage()): number {
  const asked = Number(storage?.getItem(LOCK_AFTER_KEY));
  return Number.isFinite(asked) && asked >= 1000 ? Math.min(asked, LOCK_AFTER_MS) : LOCK_AFTER_MS;
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
