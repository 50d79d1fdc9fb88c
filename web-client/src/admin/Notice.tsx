/** A success message after an admin action, announced to screen readers. */
export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p class="notice success" role="status">
      {text}
    </p>
  );
}
