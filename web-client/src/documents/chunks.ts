/**
 * Whether bytes are a sequence of whole Automerge chunks (magic, checksum, type, LEB128 length,
 * body). Automerge's `loadIncremental` silently stops at the first bytes it cannot parse and drops
 * the rest, so a batch is checked before it is loaded: one bad update must not hide the good
 * ones after it.
 */
const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
/** document, change, compressed change */
const TYPES = new Set([0, 1, 2]);

export function wellFramed(bytes: Uint8Array): boolean {
  let at = 0;
  if (bytes.length === 0) return false;
  while (at < bytes.length) {
    for (let i = 0; i < 4; i++) if (bytes[at + i] !== MAGIC[i]) return false;
    at += 8; // magic and checksum
    if (!TYPES.has(bytes[at++])) return false;
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 28) return false;
      const b = bytes[at++];
      length += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    at += length;
    if (at > bytes.length) return false;
  }
  return true;
}
