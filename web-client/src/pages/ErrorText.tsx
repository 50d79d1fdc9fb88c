import { errorMessage } from '../errors';

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
