/**
 * The document templates of docs/documents.md "Templates": one declarative description per template
 * that both `initialDocument` (the first change of a new document) and the editor views read, so the
 * schema is written down once.
 */
import * as A from '@automerge/automerge/slim';
import type { TemplateId } from './model';

export const TEMPLATES: readonly TemplateId[] = ['action-plan', 'city-exchange', 'small-grant', 'event-record', 'blank'];
export const SCHEMA_VERSION = 1;

export function schemaOf(template: TemplateId): string {
  return `liaison/${template}`;
}

export function templateOfSchema(schema: unknown): TemplateId | null {
  const id = typeof schema === 'string' && schema.startsWith('liaison/') ? schema.slice('liaison/'.length) : '';
  return (TEMPLATES as readonly string[]).includes(id) ? (id as TemplateId) : null;
}

/**
 * How a field is stored and edited:
 * - `line` / `text`: Automerge Text (a JS string), one line or several;
 * - `date` (ISO day), `time` (HH:MM), `enum`, `sector`, `currency`: ImmutableString;
 * - `int` (with min/max) and `money` (integer minor units): numbers.
 */
export type FieldKind = 'line' | 'text' | 'date' | 'time' | 'enum' | 'sector' | 'currency' | 'int' | 'money';

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  options?: readonly string[];
  min?: number;
  max?: number;
  /** For `money`: the field holding the currency code. */
  currencyField?: string;
}

/**
 * - `fields`: a map of named fields (meta, context);
 * - `text`: one Text at the root (lessons, body);
 * - `rows`: a map of rows keyed by random id, ordered by their `rank`.
 */
export type SectionSpec =
  | { kind: 'fields'; key: string; fields: readonly FieldSpec[] }
  | { kind: 'text'; key: string }
  | { kind: 'rows'; key: string; fields: readonly FieldSpec[] };

export const PLAN_STATUS = ['draft', 'consultation', 'adopted', 'archived'] as const;
export const ACTIVITY_STATUS = ['planned', 'in-progress', 'delayed', 'done', 'cancelled'] as const;
export const MITIGATION_STATUS = ['open', 'done'] as const;
export const FOLLOW_UP_STATUS = ['open', 'done', 'dropped'] as const;
export const FREQUENCY = ['monthly', 'quarterly', 'annual'] as const;
export const EVENT_KIND = ['meeting', 'training', 'workshop', 'exchange'] as const;
/** The currencies the network's cities use, euro first. */
export const CURRENCIES = ['EUR', 'ALL', 'BAM', 'MKD', 'RSD', 'MAD', 'TND', 'JOD', 'LBP', 'EGP', 'GBP', 'CHF', 'USD'] as const;
export const DEFAULT_CURRENCY = 'EUR';

const line = (key: string): FieldSpec => ({ key, kind: 'line' });
const text = (key: string): FieldSpec => ({ key, kind: 'text' });
const date = (key: string): FieldSpec => ({ key, kind: 'date' });
const choice = (key: string, options: readonly string[]): FieldSpec => ({ key, kind: 'enum', options });
const scale = (key: string): FieldSpec => ({ key, kind: 'int', min: 1, max: 5 });

const ACTIVITIES: SectionSpec = {
  kind: 'rows',
  key: 'activities',
  fields: [
    line('title'),
    line('owner'),
    date('start'),
    date('end'),
    choice('status', ACTIVITY_STATUS),
    { key: 'budgetMinor', kind: 'money', currencyField: 'currency' },
    { key: 'currency', kind: 'currency' },
  ],
};
const FOLLOW_UPS: SectionSpec = {
  kind: 'rows',
  key: 'followUps',
  fields: [line('action'), line('owner'), date('due'), choice('status', FOLLOW_UP_STATUS)],
};

export const SECTIONS: Record<TemplateId, readonly SectionSpec[]> = {
  'action-plan': [
    {
      kind: 'fields',
      key: 'meta',
      fields: [line('title'), line('city'), date('periodStart'), date('periodEnd'), choice('status', PLAN_STATUS)],
    },
    { kind: 'fields', key: 'context', fields: [text('summary'), text('localDrivers'), text('previousWork')] },
    { kind: 'rows', key: 'risks', fields: [line('title'), text('description'), scale('likelihood'), scale('impact')] },
    { kind: 'rows', key: 'priorities', fields: [line('title'), text('rationale')] },
    {
      kind: 'rows',
      key: 'partners',
      fields: [line('organisation'), { key: 'sector', kind: 'sector' }, line('role'), line('contact')],
    },
    ACTIVITIES,
    {
      kind: 'rows',
      key: 'mitigations',
      fields: [text('measure'), line('owner'), date('due'), choice('status', MITIGATION_STATUS)],
    },
    {
      kind: 'rows',
      key: 'indicators',
      fields: [line('indicator'), line('baseline'), line('target'), line('source'), choice('frequency', FREQUENCY)],
    },
    { kind: 'fields', key: 'coordination', fields: [text('notes')] },
  ],
  'city-exchange': [
    {
      kind: 'fields',
      key: 'meta',
      fields: [line('title'), line('hostCity'), line('visitingCity'), date('start'), date('end')],
    },
    {
      kind: 'rows',
      key: 'agenda',
      fields: [date('date'), { key: 'time', kind: 'time' }, line('title'), line('location')],
    },
    { kind: 'rows', key: 'siteVisits', fields: [date('date'), line('place'), text('observations')] },
    { kind: 'text', key: 'lessons' },
    { kind: 'rows', key: 'outcomes', fields: [text('statement')] },
    FOLLOW_UPS,
  ],
  'small-grant': [
    {
      kind: 'fields',
      key: 'meta',
      fields: [
        line('title'),
        line('applicant'),
        line('city'),
        { key: 'amountMinor', kind: 'money', currencyField: 'currency' },
        { key: 'currency', kind: 'currency' },
        date('start'),
        date('end'),
      ],
    },
    { kind: 'text', key: 'summary' },
    { kind: 'text', key: 'need' },
    { kind: 'text', key: 'objectives' },
    ACTIVITIES,
    { kind: 'text', key: 'budget' },
    { kind: 'text', key: 'evaluation' },
  ],
  'event-record': [
    {
      kind: 'fields',
      key: 'meta',
      fields: [line('title'), date('date'), line('place'), choice('kind', EVENT_KIND)],
    },
    {
      kind: 'rows',
      key: 'participants',
      fields: [
        { key: 'sector', kind: 'sector' },
        { key: 'count', kind: 'int', min: 0 },
      ],
    },
    { kind: 'text', key: 'summary' },
    { kind: 'text', key: 'outcomes' },
    FOLLOW_UPS,
  ],
  blank: [
    { kind: 'fields', key: 'meta', fields: [line('title')] },
    { kind: 'text', key: 'body' },
  ],
};

/** Whether a field is stored as an ImmutableString (scalars) rather than Text or a number. */
export function isScalarString(kind: FieldKind): boolean {
  return kind === 'date' || kind === 'time' || kind === 'enum' || kind === 'sector' || kind === 'currency';
}

/** The empty value of a field when a row or document is made. */
function emptyValue(field: FieldSpec): unknown {
  switch (field.kind) {
    case 'line':
    case 'text':
      return '';
    case 'enum':
      return new A.ImmutableString(field.options?.[0] ?? '');
    case 'currency':
      return new A.ImmutableString(DEFAULT_CURRENCY);
    case 'int':
      return field.min !== undefined && field.min > 0 ? field.min : 0;
    case 'money':
      return 0;
    default:
      return new A.ImmutableString('');
  }
}

/** A new row of a row section, all fields present so other clients see the same shape. */
export function emptyRow(section: SectionSpec, rank: string): Record<string, unknown> {
  const row: Record<string, unknown> = { rank: new A.ImmutableString(rank) };
  if (section.kind === 'rows') for (const field of section.fields) row[field.key] = emptyValue(field);
  return row;
}

/** Rows start with one empty row where it shows people what to fill in (a risk, an activity, ...). */
const EXAMPLE_ROWS = new Set(['risks', 'priorities', 'activities', 'agenda', 'followUps', 'participants']);

/** 16 random bytes as hex: row and comment ids (random, so concurrent additions never collide). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The Automerge `save()` of a new document: the template's whole shape in one change, so concurrent
 * first edits by two members land in the same maps instead of racing to create them.
 */
export function initialDocument(template: TemplateId, title: string): Uint8Array {
  const doc = A.change(A.init<Record<string, unknown>>(), (d) => {
    d.schema = new A.ImmutableString(schemaOf(template));
    d.schemaVersion = SCHEMA_VERSION;
    for (const section of SECTIONS[template]) {
      if (section.kind === 'text') d[section.key] = '';
      else if (section.kind === 'fields') {
        const values: Record<string, unknown> = {};
        for (const field of section.fields) values[field.key] = emptyValue(field);
        d[section.key] = values;
      } else {
        d[section.key] = EXAMPLE_ROWS.has(section.key) ? { [randomId()]: emptyRow(section, rankBetween()) } : {};
      }
    }
    (d.meta as Record<string, unknown>).title = title;
    d.comments = {};
  });
  return A.save(doc);
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A rank strictly between `before` and `after` (either may be absent), compared as plain strings.
 * Ranks never end in '0', so there is always room between two of them.
 */
export function rankBetween(before = '', after = ''): string {
  if (after !== '' && before >= after) throw new Error('rankBetween: before must sort before after');
  let result = '';
  let upperOpen = after === '';
  for (let i = 0; ; i++) {
    const low = i < before.length ? DIGITS.indexOf(before[i]) : 0;
    const high = upperOpen ? DIGITS.length : i < after.length ? DIGITS.indexOf(after[i]) : 0;
    if (high - low > 1) return result + DIGITS[Math.floor((low + high) / 2)];
    result += DIGITS[low];
    // Once the prefix is below `after`, anything longer is too.
    if (high > low) upperOpen = true;
  }
}

/** Rows in rank order; equal ranks (two members adding at once) fall back to the id. */
export function orderedRows<R extends { rank?: unknown }>(rows: Record<string, R> | undefined): [string, R][] {
  return Object.entries(rows ?? {}).sort(([ia, a], [ib, b]) => {
    const ra = String(a.rank ?? '');
    const rb = String(b.rank ?? '');
    return ra < rb ? -1 : ra > rb ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0;
  });
}
