/**
 * Restoring a version (docs/documents.md "Clients"): a forward change that makes the current
 * state equal the state at the version's heads. History is never rewritten; text is spliced
 * (`updateText`) so a concurrent edit elsewhere in the same field still merges.
 */
import type { Automerge } from './automerge';

type Obj = Record<string, unknown>;

/** Inside a change: makes `d` (the root proxy) equal `target` (a view at the heads). */
export function restoreTo(A: Automerge, d: Obj, target: Obj): void {
  assign(A, d, d, [], target);
}

function assign(A: Automerge, root: Obj, into: Obj, path: string[], target: Obj) {
  for (const key of Object.keys(into)) if (!(key in target)) delete into[key];
  for (const [key, wanted] of Object.entries(target)) {
    const now = into[key];
    if (typeof wanted === 'string') {
      if (typeof now === 'string') {
        if (now !== wanted) A.updateText(root, [...path, key], wanted);
      } else into[key] = wanted;
    } else if (wanted instanceof A.ImmutableString) {
      if (!(now instanceof A.ImmutableString) || now.val !== wanted.val) into[key] = new A.ImmutableString(wanted.val);
    } else if (isMap(wanted) && isMap(now)) {
      assign(A, root, now as Obj, [...path, key], wanted as Obj);
    } else if (!same(now, wanted)) {
      into[key] = plain(A, wanted);
    }
  }
}

const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b);
}

/** A copy detached from the view (Automerge refuses objects of another document). */
function plain(A: Automerge, v: unknown): unknown {
  if (v instanceof A.ImmutableString) return new A.ImmutableString(v.val);
  if (v instanceof A.Counter) return new A.Counter(v.value);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Uint8Array) return v.slice();
  if (Array.isArray(v)) return v.map((x) => plain(A, x));
  if (isMap(v)) return Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, plain(A, x)]));
  return v;
}
