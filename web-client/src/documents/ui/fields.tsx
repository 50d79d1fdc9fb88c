import * as A from '@automerge/automerge/slim';
import { Fragment } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { type MessageKey, SECTORS, t, tf } from '../../i18n';
import { currencyDigits, label } from '../export';
import type { AnyDoc, OpenDocument, Presence } from '../model';
import { applyMark, blocksOf, isFormatted, markActive, type RichMark, type Span, safeLink, spansOf, toggleList } from '../richtext';
import { CURRENCIES, type FieldSpec } from '../templates';
import { conflictingValues, editText, setScalar, valueAt } from './edits';

/** What every field needs: the document shown, where the field is, and who else is in it. */
export interface FieldContext {
  doc: AnyDoc;
  open: OpenDocument;
  /** Viewing a version: nothing can be changed. */
  readOnly: boolean;
  peers: Presence[];
  /** Which state is shown ("current" or a version's id): a different one re-renders everything. */
  viewKey: string;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function peersIn(peers: Presence[], path: readonly string[]): Presence[] {
  return peers.filter((p) => samePath(p.path, path));
}

export function fieldId(path: readonly string[]): string {
  return `doc-${path.join('-')}`;
}

/** A caret position as an Automerge cursor, so it survives other people's edits. */
function cursorAt(doc: AnyDoc, path: readonly string[], position: number, length: number): string | undefined {
  try {
    return A.getCursor(doc, [...path], position >= length ? 'end' : position);
  } catch {
    return undefined;
  }
}

function positionOf(doc: AnyDoc, path: readonly string[], cursor: string | undefined): number | null {
  if (!cursor) return null;
  try {
    return A.getCursorPosition(doc, [...path], cursor);
  } catch {
    return null;
  }
}

/**
 * A Text field (input or textarea). The element is left uncontrolled: typing changes the document
 * through a minimal splice, and a remote change rewrites the element's value while keeping the
 * caret where it was in the text (via Automerge cursors), so nobody's typing jumps.
 */
export function TextField({
  ctx,
  path,
  multiline,
  labelText,
  hideLabel = false,
}: {
  ctx: FieldContext;
  path: readonly string[];
  multiline: boolean;
  labelText: string;
  hideLabel?: boolean;
}) {
  const { doc, open, readOnly } = ctx;
  const raw = valueAt(doc, path);
  const value = typeof raw === 'string' ? raw : String(raw ?? '');
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const layer = useRef<HTMLDivElement>(null);
  const selection = useRef<{ start?: string; end?: string }>({});
  const id = fieldId(path);
  const peers = peersIn(ctx.peers, path);

  // The document the element's text comes from: carets are read against it, not against a newer
  // document the element has not shown yet (a remote change between render and a select event).
  const rendered = useRef<AnyDoc>(doc);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && el.value !== value) {
      const focused = el.ownerDocument.activeElement === el;
      const start = positionOf(doc, path, selection.current.start);
      const end = positionOf(doc, path, selection.current.end);
      el.value = value;
      if (focused && start !== null) el.setSelectionRange(start, end ?? start);
    }
    rendered.current = doc;
  });

  const remember = () => {
    const el = ref.current;
    if (!el || readOnly) return;
    const length = el.value.length;
    selection.current = {
      start: cursorAt(rendered.current, path, el.selectionStart ?? 0, length),
      end: cursorAt(rendered.current, path, el.selectionEnd ?? 0, length),
    };
    open.setPresence([...path], selection.current.end);
  };

  const onInput = () => {
    const el = ref.current;
    if (!el || readOnly) return;
    open.change((d) => editText(d, path, el.value));
    rendered.current = open.doc(); // the element now shows exactly this document's text
    remember();
  };

  /** Bold and italic toggle on the selection; a link asks for its address (empty removes it). */
  const format = (name: RichMark) => {
    const el = ref.current;
    if (!el || readOnly) return;
    const [start, end] = [el.selectionStart ?? 0, el.selectionEnd ?? 0];
    if (start === end) return;
    if (name !== 'link') {
      const on = !markActive(open.doc(), path, start, end, name);
      open.change((d) => applyMark(d, path, start, end, name, on));
      return;
    }
    const answer = prompt(t('docs.format.linkPrompt'), '');
    if (answer === null) return;
    const typed = answer.trim();
    if (!typed) return open.change((d) => applyMark(d, path, start, end, 'link', false));
    const href = safeLink(typed.includes(':') ? typed : `https://${typed}`);
    if (!href) return alert(t('docs.format.linkInvalid'));
    open.change((d) => applyMark(d, path, start, end, 'link', href));
  };

  const list = () => {
    const el = ref.current;
    if (!el || readOnly) return;
    let selected = { start: 0, end: 0 };
    open.change((d) => {
      selected = toggleList(d, path, String(valueAt(d, path) ?? ''), el.selectionStart ?? 0, el.selectionEnd ?? 0);
    });
    el.value = String(valueAt(open.doc(), path) ?? '');
    el.setSelectionRange(selected.start, selected.end);
    rendered.current = open.doc();
    remember();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!multiline || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const name = ({ b: 'bold', i: 'italic', k: 'link' } as const)[e.key.toLowerCase() as 'b' | 'i' | 'k'];
    if (!name) return;
    e.preventDefault();
    format(name);
  };

  const props = {
    id,
    ref,
    defaultValue: value,
    readOnly,
    dir: 'auto' as const,
    onInput,
    onKeyDown,
    onFocus: remember,
    onSelect: remember,
    onKeyUp: remember,
    onBlur: () => !readOnly && open.setPresence([]),
    onScroll: () => {
      if (layer.current && ref.current) layer.current.scrollTop = ref.current.scrollTop;
    },
    'aria-describedby': peers.length > 0 ? `${id}-peers` : undefined,
  };

  return (
    <div class={multiline ? 'doc-field doc-text' : 'doc-field'}>
      <label for={id} class={hideLabel ? 'visually-hidden' : undefined}>
        {labelText}
      </label>
      {multiline && !readOnly && <FormatTools fieldId={id} labelText={labelText} onMark={format} onList={list} />}
      <div class="doc-input">
        {multiline ? <textarea rows={4} {...props} /> : <input type="text" {...props} />}
        {peers.length > 0 && <PeerCarets doc={doc} path={path} value={value} peers={peers} multiline={multiline} layer={layer} />}
      </div>
      <PeerNames id={`${id}-peers`} peers={peers} />
      {multiline && <Formatted doc={doc} path={path} value={value} />}
    </div>
  );
}

/** The formatting buttons of a free-text field; they act on the field's selection (focus stays there). */
function FormatTools({
  fieldId,
  labelText,
  onMark,
  onList,
}: {
  fieldId: string;
  labelText: string;
  onMark: (name: RichMark) => void;
  onList: () => void;
}) {
  const keep = (e: MouseEvent) => e.preventDefault();
  const button = (name: RichMark | 'list', text: string, shortcut?: string) => (
    <button
      type="button"
      class={`secondary small format-${name}`}
      aria-controls={fieldId}
      aria-keyshortcuts={shortcut}
      onMouseDown={keep}
      onClick={() => (name === 'list' ? onList() : onMark(name))}
    >
      {text}
    </button>
  );
  return (
    <div class="format-tools row" role="toolbar" aria-label={tf('docs.format.toolbar', { field: labelText })}>
      {button('bold', t('docs.format.bold'), 'Control+B')}
      {button('italic', t('docs.format.italic'), 'Control+I')}
      {button('link', t('docs.format.link'), 'Control+K')}
      {button('list', t('docs.format.list'))}
    </div>
  );
}

/** The field as it reads with its formatting, shown when it has any (marks or list lines). */
function Formatted({ doc, path, value }: { doc: AnyDoc; path: readonly string[]; value: string }) {
  const spans = spansOf(doc, path, value);
  if (!isFormatted(spans)) return null;
  return (
    <div class="rich-view" dir="auto">
      <p class="muted small">{t('docs.format.shown')}</p>
      {blocksOf(spans).map((b, i) =>
        b.kind === 'paragraph' ? (
          <p key={i}>
            {b.lines.map((line, j) => (
              <Fragment key={j}>
                {j > 0 && <br />}
                <Inline line={line} />
              </Fragment>
            ))}
          </p>
        ) : (
          <ul key={i}>
            {b.items.map((item, j) => (
              <li key={j}>
                <Inline line={item} />
              </li>
            ))}
          </ul>
        ),
      )}
    </div>
  );
}

function Inline({ line }: { line: Span[] }) {
  return (
    <>
      {line.map((s, i) => {
        let shown: preact.ComponentChildren = s.text;
        if (s.italic) shown = <em>{shown}</em>;
        if (s.bold) shown = <strong>{shown}</strong>;
        if (s.link)
          shown = (
            <a href={s.link} target="_blank" rel="noopener noreferrer">
              {shown}
            </a>
          );
        return <Fragment key={i}>{shown}</Fragment>;
      })}
    </>
  );
}

/** An invisible copy of the text behind the field with a marker where each peer's caret is. */
function PeerCarets({
  doc,
  path,
  value,
  peers,
  multiline,
  layer,
}: {
  doc: AnyDoc;
  path: readonly string[];
  value: string;
  peers: Presence[];
  multiline: boolean;
  layer: { current: HTMLDivElement | null };
}) {
  const marks = peers
    .map((p) => ({ peer: p, at: positionOf(doc, path, p.cursor) }))
    .filter((m): m is { peer: Presence; at: number } => m.at !== null)
    .sort((a, b) => a.at - b.at);
  const parts: preact.ComponentChildren[] = [];
  let from = 0;
  for (const { peer, at } of marks) {
    parts.push(value.slice(from, at));
    parts.push(<mark class="peer-caret" data-name={peer.name} key={peer.deviceId} />);
    from = at;
  }
  parts.push(value.slice(from));
  return (
    <div class={multiline ? 'peer-layer multiline' : 'peer-layer'} ref={layer} aria-hidden="true" dir="auto">
      {parts}
    </div>
  );
}

export function PeerNames({ id, peers }: { id: string; peers: Presence[] }) {
  if (peers.length === 0) return null;
  return (
    <p class="peer-names small" id={id}>
      {tf('docs.peersHere', { names: peers.map((p) => p.name).join(', ') })}
    </p>
  );
}

/** Enums, sectors, currencies, dates, times and numbers: one value, last writer wins. */
export function ScalarField({
  ctx,
  path,
  field,
  labelText,
  hideLabel = false,
  row,
}: {
  ctx: FieldContext;
  path: readonly string[];
  field: FieldSpec;
  labelText: string;
  hideLabel?: boolean;
  /** The map holding the field (for money: its currency). */
  row: AnyDoc;
}) {
  const { doc, open, readOnly } = ctx;
  const id = fieldId(path);
  const raw = valueAt(doc, path);
  const current = raw === undefined || raw === null ? '' : String(raw);
  const peers = peersIn(ctx.peers, path);
  const set = (value: string | number) => !readOnly && open.change((d) => setScalar(d, path, value));
  const focus = () => !readOnly && open.setPresence([...path]);
  const common = {
    id,
    disabled: readOnly,
    onFocus: focus,
    onBlur: () => !readOnly && open.setPresence([]),
    'aria-describedby': peers.length > 0 ? `${id}-peers` : undefined,
  };

  let input: preact.JSX.Element;
  switch (field.kind) {
    case 'enum':
    case 'sector':
    case 'currency': {
      const options: string[] =
        field.kind === 'enum' ? [...(field.options ?? [])] : field.kind === 'sector' ? ['', ...SECTORS] : [...CURRENCIES];
      if (!options.includes(current)) options.push(current);
      const optionLabel = (o: string) =>
        field.kind === 'currency'
          ? o
          : o === ''
            ? t('docs.choose')
            : field.kind === 'sector'
              ? t(`sector.${o}` as MessageKey)
              : t(label.value(o));
      input = (
        <select {...common} value={current} onChange={(e) => set(e.currentTarget.value)}>
          {options.map((o) => (
            <option value={o} key={o}>
              {optionLabel(o)}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'date':
    case 'time':
      input = (
        <input
          {...common}
          type={field.kind}
          value={current}
          onChange={(e) => set(e.currentTarget.value)}
        />
      );
      break;
    case 'money': {
      const digits = currencyDigits(String(row?.[field.currencyField ?? 'currency'] ?? 'EUR'));
      const major = Number(raw ?? 0) / 10 ** digits;
      input = (
        <input
          {...common}
          type="number"
          min={0}
          step={1 / 10 ** digits}
          value={Number.isFinite(major) ? String(major) : ''}
          onChange={(e) => {
            const parsed = Number.parseFloat(e.currentTarget.value);
            if (Number.isFinite(parsed) && parsed >= 0) set(Math.round(parsed * 10 ** digits));
          }}
        />
      );
      break;
    }
    default:
      input = (
        <input
          {...common}
          type="number"
          min={field.min}
          max={field.max}
          step={1}
          value={current}
          onChange={(e) => {
            const parsed = Number.parseInt(e.currentTarget.value, 10);
            if (!Number.isFinite(parsed)) return;
            const clamped = Math.min(field.max ?? Number.MAX_SAFE_INTEGER, Math.max(field.min ?? 0, parsed));
            set(clamped);
          }}
        />
      );
  }

  const conflict = conflictingValues(doc, path);
  return (
    <div class="doc-field">
      <label for={id} class={hideLabel ? 'visually-hidden' : undefined}>
        {labelText}
      </label>
      {input}
      {conflict && (
        <p class="conflict small" role="status">
          {tf('docs.conflict', { others: conflict.slice(1).map((v) => shownScalar(field, v)).join(', ') })}
        </p>
      )}
      <PeerNames id={`${id}-peers`} peers={peers} />
    </div>
  );
}

function shownScalar(field: FieldSpec, value: string): string {
  if (field.kind === 'enum' && value) return t(label.value(value));
  if (field.kind === 'sector' && value) return t(`sector.${value}` as MessageKey);
  return value || '—';
}

/** One field of any kind, by its spec. */
export function Field({
  ctx,
  path,
  field,
  holder,
  hideLabel,
  labelText,
}: {
  ctx: FieldContext;
  path: readonly string[];
  field: FieldSpec;
  holder: AnyDoc;
  hideLabel?: boolean;
  labelText?: string;
}) {
  const text = labelText ?? t(label.field(field.key));
  if (field.kind === 'line' || field.kind === 'text') {
    return <TextField ctx={ctx} path={path} multiline={field.kind === 'text'} labelText={text} hideLabel={hideLabel} />;
  }
  return <ScalarField ctx={ctx} path={path} field={field} labelText={text} hideLabel={hideLabel} row={holder} />;
}
