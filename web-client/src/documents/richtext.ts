/**
 * Rich text in the free-text fields (docs/documents.md "Rich text"): bold, italic and links are
 * Automerge marks on the field's Text; a bulleted list is lines starting "- ". No block markers:
 * automerge-java 0.0.7 reads each as U+FFFC inside the text (AutomergeRichTextInteropTest), and
 * every plain-text reader (Java, the CLI, the textarea) would show it. Marks cross untouched.
 *
 * One reading of a field (`blocksOf`) feeds the editor's formatted view and both exports.
 */
import * as A from '@automerge/automerge/slim';
import type { AnyDoc } from './model';

export type RichMark = 'bold' | 'italic' | 'link';

/** A run of text with one set of formatting. */
export interface Span {
  text: string;
  bold?: true;
  italic?: true;
  /** Only http(s) and mailto links are read (`safeLink`). */
  link?: string;
}

/** Paragraphs (lines kept) and bulleted lists, each line a list of spans. */
export type Block = { kind: 'paragraph'; lines: Span[][] } | { kind: 'list'; items: Span[][] };

/** Typing at the end of bold or italic text continues it; a link never grows by typing. */
const EXPAND: Record<RichMark, 'after' | 'none'> = { bold: 'after', italic: 'after', link: 'none' };

export const LIST_PREFIX = '- ';

/** The href of a link, or null for anything but http(s) and mailto (no `javascript:`). */
export function safeLink(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    const url = new URL(value.trim());
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

interface MarkRead {
  name: string;
  value: unknown;
  start: number;
  end: number;
}

function marksOf(doc: AnyDoc, path: readonly string[]): MarkRead[] {
  try {
    return A.marks(doc, [...path]) as MarkRead[];
  } catch {
    return []; // not an Automerge Text (an older value, or a plain object in a test)
  }
}

/** The field's text cut where its formatting changes; unknown marks are ignored. */
export function spansOf(doc: AnyDoc, path: readonly string[], text: string): Span[] {
  const known = marksOf(doc, path).filter(
    (m) => (m.name === 'bold' || m.name === 'italic' ? m.value === true : m.name === 'link' && safeLink(m.value) !== null),
  );
  const cuts = new Set([0, text.length]);
  for (const m of known) {
    cuts.add(Math.max(0, Math.min(text.length, m.start)));
    cuts.add(Math.max(0, Math.min(text.length, m.end)));
  }
  const at = [...cuts].sort((a, b) => a - b);
  const spans: Span[] = [];
  for (let i = 0; i + 1 < at.length; i++) {
    const [from, to] = [at[i], at[i + 1]];
    const span: Span = { text: text.slice(from, to) };
    for (const m of known) {
      if (m.start > from || m.end < to) continue;
      if (m.name === 'link') span.link = safeLink(m.value)!;
      else span[m.name as 'bold' | 'italic'] = true;
    }
    spans.push(span);
  }
  return spans.length > 0 ? spans : [{ text }];
}

/** Whether every character of [start, end) carries the mark. */
export function markActive(doc: AnyDoc, path: readonly string[], start: number, end: number, name: RichMark): boolean {
  if (start >= end) return false;
  const covering = marksOf(doc, path)
    .filter((m) => m.name === name && m.value !== null && m.value !== false)
    .sort((a, b) => a.start - b.start);
  let reached = start;
  for (const m of covering) if (m.start <= reached && m.end > reached) reached = m.end;
  return reached >= end;
}

/**
 * Inside a change: sets a mark on [start, end) (`true` for bold and italic, the URL for a link) or
 * removes it (`false`). An empty range changes nothing.
 */
export function applyMark(d: AnyDoc, path: readonly string[], start: number, end: number, name: RichMark, value: boolean | string): void {
  if (start >= end) return;
  const range = { start, end, expand: EXPAND[name] };
  if (value === false) A.unmark(d, [...path], range, name);
  else A.mark(d, [...path], range, name, value);
}

/**
 * Inside a change: makes the lines touched by [start, end) list items, or plain lines again when
 * all of them already are. One splice per line start, so the marks on the rest of each line stay.
 * Answers where the selection is afterwards.
 */
export function toggleList(d: AnyDoc, path: readonly string[], text: string, start: number, end: number): { start: number; end: number } {
  const first = start === 0 ? 0 : text.lastIndexOf('\n', start - 1) + 1;
  const last = Math.max(start, end - 1);
  const starts = [first];
  for (let i = text.indexOf('\n', first); i >= 0 && i < last; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const remove = starts.every((i) => text.startsWith(LIST_PREFIX, i));
  const touched = remove ? starts : starts.filter((i) => !text.startsWith(LIST_PREFIX, i));
  // From the end, so earlier positions stay valid.
  for (const i of [...touched].reverse()) {
    if (remove) A.splice(d, [...path], i, LIST_PREFIX.length);
    else A.splice(d, [...path], i, 0, LIST_PREFIX);
  }
  const n = LIST_PREFIX.length;
  const shift = (p: number) => {
    let q = p;
    for (const i of touched) {
      if (!remove) q += p >= i ? n : 0;
      else q -= p >= i + n ? n : Math.max(0, p - i);
    }
    return q;
  };
  return { start: shift(start), end: shift(end) };
}

function plain(line: Span[]): string {
  return line.map((s) => s.text).join('');
}

/** Drops the first n characters of a line (the list prefix), keeping the formatting of the rest. */
function dropStart(line: Span[], n: number): Span[] {
  const out: Span[] = [];
  let left = n;
  for (const s of line) {
    if (left >= s.text.length) {
      left -= s.text.length;
      continue;
    }
    out.push({ ...s, text: s.text.slice(left) });
    left = 0;
  }
  return out;
}

function linesOf(spans: Span[]): Span[][] {
  const lines: Span[][] = [[]];
  for (const span of spans) {
    const parts = span.text.split(/\r?\n/);
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ ...span, text: part });
    });
  }
  return lines;
}

/** Paragraphs split at blank lines; consecutive "- " lines make one list. */
export function blocksOf(spans: Span[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const line of linesOf(spans)) {
    const text = plain(line);
    if (text.startsWith(LIST_PREFIX)) {
      if (current?.kind !== 'list') blocks.push((current = { kind: 'list', items: [] }));
      current.items.push(dropStart(line, LIST_PREFIX.length));
    } else if (text.trim() === '') {
      current = null;
    } else {
      if (current?.kind !== 'paragraph') blocks.push((current = { kind: 'paragraph', lines: [] }));
      current.lines.push(line);
    }
  }
  return blocks;
}

/** Whether a field has anything a plain text box does not show (marks or list lines). */
export function isFormatted(spans: Span[]): boolean {
  return spans.some((s) => s.bold || s.italic || s.link) || blocksOf(spans).some((b) => b.kind === 'list');
}

// ---------- HTML (everything escaped; only our own tags)

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inlineHtml(line: Span[]): string {
  return line
    .map((s) => {
      let html = escapeHtml(s.text);
      if (s.italic) html = `<em>${html}</em>`;
      if (s.bold) html = `<strong>${html}</strong>`;
      if (s.link) html = `<a href="${escapeHtml(s.link)}" rel="noopener noreferrer">${html}</a>`;
      return html;
    })
    .join('');
}

/** Block HTML of a field: `<p>` with `<br>` between its lines, `<ul><li>` for lists. */
export function richHtml(spans: Span[]): string {
  return blocksOf(spans)
    .map((b) => (b.kind === 'paragraph' ? `<p>${b.lines.map(inlineHtml).join('<br>')}</p>` : `<ul>${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('')}</ul>`))
    .join('\n');
}

/** For a table cell: lines kept (the cell is `pre-wrap`), list lines as "• ". */
export function richCellHtml(spans: Span[]): string {
  return linesOf(spans)
    .map((line) => (plain(line).startsWith(LIST_PREFIX) ? `• ${inlineHtml(dropStart(line, LIST_PREFIX.length))}` : inlineHtml(line)))
    .join('\n');
}

// ---------- Markdown

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/** Emphasis markers hug the text: spaces at a span's edges go outside them, as CommonMark needs. */
function inlineMarkdown(line: Span[]): string {
  return line
    .map((s) => {
      const [, lead, core, trail] = s.text.match(/^(\s*)(.*?)(\s*)$/s)!;
      if (!core) return s.text;
      let md = escapeMarkdown(core);
      if (s.italic) md = `*${md}*`;
      if (s.bold) md = `**${md}**`;
      // Parentheses and spaces would end the destination early.
      if (s.link) md = `[${md}](${s.link.replace(/[()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
      return lead + md + trail;
    })
    .join('');
}

/** Block Markdown: lines of a paragraph end in a hard break, list items stay "- " lines. */
export function richMarkdown(spans: Span[]): string {
  return blocksOf(spans)
    .map((b) => (b.kind === 'paragraph' ? b.lines.map(inlineMarkdown).join('  \n') : b.items.map((i) => `${LIST_PREFIX}${inlineMarkdown(i)}`).join('\n')))
    .join('\n\n');
}

/** For a table cell: one line, breaks as `<br>`. */
export function richCellMarkdown(spans: Span[]): string {
  return linesOf(spans).map(inlineMarkdown).join('<br>');
}
