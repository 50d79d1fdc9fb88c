import { ApiError } from '../api';
import { t } from '../i18n';

/** An error as people read it: the server's message, never a code or a stack. */
export function ErrorText({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const message = error instanceof ApiError ? error.message : t('common.error');
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}
