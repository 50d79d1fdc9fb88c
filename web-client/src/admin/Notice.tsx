/** A success message after an admin action, announced to screen readers. */
export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p class="notice success" role="status">
      {text}
    </p>
  );
}

/**
 * The accessible name of a row's button: its visible text first (so speech input finds it by
 * what it shows), then whom it acts on.
 */
export function actionOn(action: string, who: string): string {
  return `${action} — ${who}`;
}
