import { useState } from 'preact/hooks';

/**
 * Runs a form's action: marks it busy (so a double click cannot send twice), clears the last
 * error, and keeps the new one for display.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
