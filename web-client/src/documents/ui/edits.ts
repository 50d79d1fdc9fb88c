/**
 * The changes the editor makes, as plain functions inside `OpenDocument.change` callbacks, so tests
 * run them on real Automerge documents without rendering anything.
 */
import * as A from '@automerge/automerge/slim';
import type { AnyDoc } from '../model';
import { emptyRow, orderedRows, randomId, rankBetween, type SectionSpec } from '../templates';

/** The smallest splice that turns `before` into `after`: one kept prefix, one kept suffix. */
export function textDiff(before: string, after: string): { index: number; remove: number; insert: string } {
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // Never split a surrogate pair: Automerge would store half a character.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let end = 0;
  while (
    end < shorter - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  if (end > 0 && isLowSurrogate(before.charCodeAt(before.length - end))) end--;
  return { index: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The value at a path, or undefined. */
export function valueAt(doc: AnyDoc, path: readonly string[]): unknown {
  let node: AnyDoc = doc;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Edits a Text field to `after` by splicing only what changed, so a concurrent edit elsewhere in
 * the same field survives the merge. A field that is missing (an older document) is created.
 */
export function editText(d: AnyDoc, path: readonly string[], after: string): void {
  const before = valueAt(d, path);
  if (typeof before !== 'string') {
    setAt(d, path, after);
    return;
  }
  const { index, remove, insert } = textDiff(before, after);
  if (remove === 0 && insert === '') return;
  A.splice(d, [...path], index, remove, insert);
}

/** Sets a scalar (ImmutableString for strings, numbers as they are), creating missing parents. */
export function setScalar(d: AnyDoc, path: readonly string[], value: string | number | boolean): void {
  setAt(d, path, typeof value === 'string' ? new A.ImmutableString(value) : value);
}

function setAt(d: AnyDoc, path: readonly string[], value: unknown): void {
  let node = d;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

/** Appends an empty row after the last one and returns its id. */
export function addRow(d: AnyDoc, section: SectionSpec): string {
  if (d[section.key] === undefined) d[section.key] = {};
  const rows = orderedRows(d[section.key]);
  const last = rows.length > 0 ? String(rows[rows.length - 1][1].rank ?? '') : '';
  const id = randomId();
  d[section.key][id] = emptyRow(section, rankBetween(last));
  return id;
}

/**
 * Moves a row one place up (-1) or down (+1) by giving it a rank between its new neighbours; the
 * other rows keep theirs, so a concurrent edit or move of another row is unaffected.
 */
export function moveRow(d: AnyDoc, sectionKey: string, rowId: string, step: -1 | 1): void {
  const rows = orderedRows(d[sectionKey] as Record<string, AnyDoc>);
  const at = rows.findIndex(([id]) => id === rowId);
  const to = at + step;
  if (at < 0 || to < 0 || to >= rows.length) return;
  const rank = (i: number) => (i >= 0 && i < rows.length ? String(rows[i][1].rank ?? '') : '');
  // Neighbours after the move: up goes between to-1 and to; down between to and to+1.
  const [before, after] = step < 0 ? [rank(to - 1), rank(to)] : [rank(to), rank(to + 1)];
  if (after === '' || before < after) {
    d[sectionKey][rowId].rank = new A.ImmutableString(rankBetween(before, after));
    return;
  }
  // Two rows added at once share a rank, leaving no room between: rank the whole section anew.
  const order = rows.map(([id]) => id);
  [order[at], order[to]] = [order[to], order[at]];
  let previous = '';
  for (const id of order) {
    previous = rankBetween(previous);
    d[sectionKey][id].rank = new A.ImmutableString(previous);
  }
}

export function removeRow(d: AnyDoc, sectionKey: string, rowId: string): void {
  if (d[sectionKey]) delete d[sectionKey][rowId];
}

export interface CommentRecord {
  id: string;
  anchor: string;
  author: string;
  authorName: string;
  body: string;
  createdAt: string;
  resolved: boolean;
}

/** A new comment anchored to a section path such as "risks" or "risks/<id>/description". */
export function addComment(
  d: AnyDoc,
  comment: { anchor: string; author: string; authorName: string; body: string },
  now: Date = new Date(),
): string {
  if (d.comments === undefined) d.comments = {};
  const id = randomId();
  d.comments[id] = {
    anchor: new A.ImmutableString(comment.anchor),
    author: new A.ImmutableString(comment.author),
    authorName: new A.ImmutableString(comment.authorName),
    body: comment.body,
    createdAt: new A.ImmutableString(now.toISOString()),
    resolved: false,
  };
  return id;
}

export function setResolved(d: AnyDoc, commentId: string, resolved: boolean): void {
  if (d.comments?.[commentId]) d.comments[commentId].resolved = resolved;
}

/** The comments, oldest first, as plain records. */
export function listComments(doc: AnyDoc): CommentRecord[] {
  return Object.entries((doc?.comments ?? {}) as Record<string, AnyDoc>)
    .map(([id, c]) => ({
      id,
      anchor: String(c.anchor ?? ''),
      author: String(c.author ?? ''),
      authorName: String(c.authorName ?? ''),
      body: String(c.body ?? ''),
      createdAt: String(c.createdAt ?? ''),
      resolved: c.resolved === true,
    }))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

/**
 * The values two members wrote at once to a scalar, when Automerge kept more than one; the first is
 * the one shown. Null when there is no conflict.
 */
export function conflictingValues(doc: AnyDoc, path: readonly string[]): string[] | null {
  const parent = valueAt(doc, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return null;
  const conflicts = A.getConflicts(parent as A.Doc<unknown>, path[path.length - 1]);
  if (!conflicts || Object.keys(conflicts).length < 2) return null;
  const shown = String(valueAt(doc, path) ?? '');
  const others = Object.values(conflicts)
    .map((v) => String(v ?? ''))
    .filter((v) => v !== shown);
  return [shown, ...others];
}

/** Risk score cells of the action plan: how many risks at each likelihood × impact. */
export function riskMatrix(doc: AnyDoc): number[][] {
  const matrix = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => 0));
  for (const [, risk] of orderedRows(doc?.risks ?? {}) as [string, AnyDoc][]) {
    const l = Number(risk.likelihood);
    const i = Number(risk.impact);
    if (l >= 1 && l <= 5 && i >= 1 && i <= 5) matrix[l - 1][i - 1]++;
  }
  return matrix;
}
