/**
 * Initials avatars: up to two letters from a name (first and last word; one for a single word),
 * on a background chosen from the user id, so a person keeps their colour everywhere and across
 * renames. Every background carries white text at a contrast of at least 4.5:1.
 */
export function initials(name: string): string {
  const words = name.trim().split(/[\s\-‐]+/u).filter((w) => /\p{L}|\p{N}/u.test(w));
  if (words.length === 0) return '?';
  const first = (w: string) => [...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] ?? '';
  const letters = words.length === 1 ? first(words[0]) : first(words[0]) + first(words[words.length - 1]);
  return letters.toLocaleUpperCase() || '?';
}

/** Dark, calm colours; white text on each has a contrast ratio of at least 4.5:1 (checked in tests). */
export const AVATAR_COLOURS = [
  '#1d5c8c', '#2f6b3a', '#7a4a12', '#6b3f8f', '#8c2f4f', '#1f6f6f', '#4a5a1a', '#5a4a8c', '#8a3b1f', '#34577a',
] as const;

/** A stable colour for an id (FNV-1a over its UTF-16 units). */
export function avatarColour(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return AVATAR_COLOURS[h % AVATAR_COLOURS.length];
}

/** WCAG contrast ratio between two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
