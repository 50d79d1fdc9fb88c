import { ApiError } from '../api';
import { hasKey, t } from '../i18n';

/**
 * An error as people read it, never a code or a stack: our own sentence for the codes the
 * catalogue knows (so it is in the reader's language), else the server's message.
 */
export function ErrorText({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const message = errorMessage(error);
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** The sentence for an error's code when the catalogue has one (`error.<code>`), else the server's. */
export function errorMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  // A request that timed out is, to the reader, the server not answering.
  const key = typeof code === 'string' ? `error.${code === 'timeout' ? 'offline' : code}` : '';
  if (hasKey(key)) return t(key);
  return error instanceof ApiError ? error.message : t('common.error');
}
