/**
 * An error as people read it, never a code or a stack. Not a component: the channel glue needs
 * the same sentence as the screens, and glue must not import UI (test/architecture.test.ts).
 */
import { ApiError } from './api';
import { hasKey, t } from './i18n';

/** The sentence for an error's code when the catalogue has one (`error.<code>`), else the server's. */
export function errorMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  // A request that timed out is, to the reader, the server not answering.
  const key = typeof code === 'string' ? `error.${code === 'timeout' ? 'offline' : code}` : '';
  if (hasKey(key)) return t(key);
  return error instanceof ApiError ? error.message : t('common.error');
}
