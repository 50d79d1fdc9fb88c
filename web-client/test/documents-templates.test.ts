// @vitest-environment node
// The templates and the editor's changes on real Automerge documents (wasm loaded in node).
import * as A from '@automerge/automerge/slim';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnyDoc, TemplateId } from '../src/documents/model';
import { initialDocument, orderedRows, rankBetween, SECTIONS, TEMPLATES, templateOfSchema } from '../src/documents/templates';
import {
  addComment,
  addRow,
  conflictingValues,
  editText,
  listComments,
  moveRow,
  removeRow,
  riskMatrix,
  setResolved,
  setScalar,
  textDiff,
} from '../src/documents/ui/edits';
import { loadAutomerge } from './local-documents';

beforeAll(loadAutomerge);

/** Each value's Automerge type, as a tree: what the Java SDK will see. */
function shape(value: unknown): unknown {
  if (typeof value === 'string') return 'T';
  if (value instanceof A.ImmutableString) return 'S';
  if (typeof value === 'number') return 'N';
  if (typeof value === 'boolean') return 'B';
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [/^[0-9a-f]{32}$/.test(k) ? '<id>' : k, shape(v)]));
  }
  return typeof value;
}

describe('initialDocument', () => {
  it('makes the action plan exactly as docs/documents.md lists it', () => {
    const doc = A.load<AnyDoc>(initialDocument('action-plan', 'Mostar 2027'));
    expect(String(doc.schema)).toBe('liaison/action-plan');
    expect(doc.schemaVersion).toBe(1);
    expect(doc.meta.title).toBe('Mostar 2027');
    expect(String(doc.meta.status)).toBe('draft');
    expect(shape(doc)).toEqual({
      schema: 'S',
      schemaVersion: 'N',
      meta: { title: 'T', city: 'T', periodStart: 'S', periodEnd: 'S', status: 'S' },
      context: { summary: 'T', localDrivers: 'T', previousWork: 'T' },
      risks: { '<id>': { rank: 'S', title: 'T', description: 'T', likelihood: 'N', impact: 'N' } },
      priorities: { '<id>': { rank: 'S', title: 'T', rationale: 'T' } },
      partners: {},
      activities: {
        '<id>': { rank: 'S', title: 'T', owner: 'T', start: 'S', end: 'S', status: 'S', budgetMinor: 'N', currency: 'S' },
      },
      mitigations: {},
      indicators: {},
      coordination: { notes: 'T' },
      comments: {},
    });
  });

  it('makes the other templates with their sections', () => {
    const exchange = A.load<AnyDoc>(initialDocument('city-exchange', 'Tirana visits Skopje'));
    expect(shape(exchange)).toMatchObject({
      schema: 'S',
      meta: { title: 'T', hostCity: 'T', visitingCity: 'T', start: 'S', end: 'S' },
      agenda: { '<id>': { rank: 'S', date: 'S', time: 'S', title: 'T', location: 'T' } },
      siteVisits: {},
      lessons: 'T',
      outcomes: {},
      followUps: { '<id>': { rank: 'S', action: 'T', owner: 'T', due: 'S', status: 'S' } },
      comments: {},
    });
    const grant = A.load<AnyDoc>(initialDocument('small-grant', 'Youth sport'));
    expect(shape(grant)).toMatchObject({
      meta: { title: 'T', applicant: 'T', city: 'T', amountMinor: 'N', currency: 'S', start: 'S', end: 'S' },
      summary: 'T',
      need: 'T',
      objectives: 'T',
      budget: 'T',
      evaluation: 'T',
      comments: {},
    });
    expect(String(grant.meta.currency)).toBe('EUR');
    const event = A.load<AnyDoc>(initialDocument('event-record', 'Training'));
    expect(shape(event)).toMatchObject({
      meta: { title: 'T', date: 'S', place: 'T', kind: 'S' },
      participants: { '<id>': { rank: 'S', sector: 'S', count: 'N' } },
      summary: 'T',
      outcomes: 'T',
    });
    expect(String(event.meta.kind)).toBe('meeting');
    const blank = A.load<AnyDoc>(initialDocument('blank', 'Notes'));
    expect(shape(blank)).toEqual({ schema: 'S', schemaVersion: 'N', meta: { title: 'T' }, body: 'T', comments: {} });
  });

  it('names every template by its schema and nothing else', () => {
    for (const template of TEMPLATES) {
      const doc = A.load<AnyDoc>(initialDocument(template, 'x'));
      expect(templateOfSchema(String(doc.schema))).toBe(template);
    }
    expect(templateOfSchema('liaison/unknown')).toBeNull();
    expect(templateOfSchema('action-plan')).toBeNull();
    expect(templateOfSchema(undefined)).toBeNull();
  });

  it('keeps a risk score in range', () => {
    const doc = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    const [[, risk]] = orderedRows(doc.risks) as [string, AnyDoc][];
    expect([risk.likelihood, risk.impact]).toEqual([1, 1]);
  });
});

describe('text edits', () => {
  it('finds the smallest splice', () => {
    expect(textDiff('hello world', 'hello brave world')).toEqual({ index: 6, remove: 0, insert: 'brave ' });
    expect(textDiff('hello world', 'hello')).toEqual({ index: 5, remove: 6, insert: '' });
    expect(textDiff('aaa', 'aaaa')).toEqual({ index: 3, remove: 0, insert: 'a' });
    expect(textDiff('same', 'same')).toEqual({ index: 4, remove: 0, insert: '' });
    // 😀 and 😁 share their high surrogate: the splice replaces the whole character.
    expect(textDiff('a😀b', 'a😁b')).toEqual({ index: 1, remove: 2, insert: '😁' });
  });

  it('merges concurrent edits of one text field from two members', () => {
    const base = A.load<AnyDoc>(initialDocument('action-plan', 'Plan'));
    const amina = A.clone(base);
    const elena = A.clone(base);
    const a1 = A.change(amina, (d) => editText(d, ['context', 'summary'], 'Youth centres close at six.'));
    const shared = A.merge(A.clone(elena), a1);
    const a2 = A.change(A.clone(shared), (d) =>
      editText(d, ['context', 'summary'], 'Youth centres close at six. Parents work late.'),
    );
    const e2 = A.change(A.clone(shared), (d) =>
      editText(d, ['context', 'summary'], 'Most youth centres close at six.'),
    );
    const merged = A.merge(a2, e2);
    expect(merged.context.summary).toBe('Most youth centres close at six. Parents work late.');
  });

  it('a whole-field replacement would lose the other edit, which is why we splice', () => {
    const base = A.load<AnyDoc>(initialDocument('blank', 'x'));
    const withText = A.change(base, (d) => editText(d, ['body'], 'one two'));
    const mine = A.change(A.clone(withText), (d) => {
      d.body = 'one two three';
    });
    const theirs = A.change(A.clone(withText), (d) => editText(d, ['body'], 'zero one two'));
    expect(A.merge(mine, theirs).body).not.toBe('zero one two three');
    const spliced = A.change(A.clone(withText), (d) => editText(d, ['body'], 'one two three'));
    expect(A.merge(spliced, theirs).body).toBe('zero one two three');
  });

  it('keeps text with emoji and Arabic intact', () => {
    let doc = A.load<AnyDoc>(initialDocument('blank', 'x'));
    doc = A.change(doc, (d) => editText(d, ['body'], 'مرحبا 😀 world'));
    doc = A.change(doc, (d) => editText(d, ['body'], 'مرحبا 😀😁 world'));
    expect(doc.body).toBe('مرحبا 😀😁 world');
  });
});

describe('rows', () => {
  it('ranks always fit between two others', () => {
    let ranks = [rankBetween()];
    for (let i = 0; i < 30; i++) ranks.push(rankBetween(ranks[ranks.length - 1]));
    for (let i = 0; i < 30; i++) ranks.splice(1, 0, rankBetween(ranks[0], ranks[1]));
    expect([...ranks].sort()).toEqual(ranks);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(ranks.every((r) => !r.endsWith('0'))).toBe(true);
    expect(() => rankBetween('b', 'a')).toThrow();
  });

  it('adds rows in order and removes them', () => {
    const risks = SECTIONS['action-plan'].find((s) => s.key === 'risks')!;
    let doc = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    let second = '';
    let third = '';
    doc = A.change(doc, (d) => {
      second = addRow(d, risks);
      third = addRow(d, risks);
    });
    const ids = orderedRows(doc.risks).map(([id]) => id);
    expect(ids.slice(1)).toEqual([second, third]);
    expect(doc.risks[second].likelihood).toBe(1);
    doc = A.change(doc, (d) => removeRow(d, 'risks', second));
    expect(orderedRows(doc.risks).map(([id]) => id)).toEqual([ids[0], third]);
  });

  it('moves a row up and down by its rank alone, also between rows of equal rank', () => {
    const priorities = SECTIONS['action-plan'].find((s) => s.key === 'priorities')!;
    let doc = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    doc = A.change(doc, (d) => {
      addRow(d, priorities);
      addRow(d, priorities);
    });
    const ids = () => orderedRows(doc.priorities).map(([id]) => id);
    const [a, b, c] = ids();
    doc = A.change(doc, (d) => moveRow(d, 'priorities', c, -1));
    expect(ids()).toEqual([a, c, b]);
    doc = A.change(doc, (d) => moveRow(d, 'priorities', c, -1));
    expect(ids()).toEqual([c, a, b]);
    doc = A.change(doc, (d) => moveRow(d, 'priorities', c, -1)); // already first
    expect(ids()).toEqual([c, a, b]);
    doc = A.change(doc, (d) => moveRow(d, 'priorities', a, 1));
    expect(ids()).toEqual([c, b, a]);
    // Equal ranks (two members appended at once): the move still happens.
    doc = A.change(doc, (d) => {
      d.priorities[b].rank = new A.ImmutableString('m');
      d.priorities[a].rank = new A.ImmutableString('m');
    });
    const [first, second] = ids().slice(1);
    doc = A.change(doc, (d) => moveRow(d, 'priorities', second, -1));
    expect(ids().slice(1)).toEqual([second, first]);
    expect(new Set(Object.values(doc.priorities).map((r) => String((r as AnyDoc).rank))).size).toBe(3);
  });

  it('keeps rows two members add at once, and a removal wins over an edit', () => {
    const partners = SECTIONS['action-plan'].find((s) => s.key === 'partners')!;
    const base = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    const a = A.change(A.clone(base), (d) => addRow(d, partners));
    const b = A.change(A.clone(base), (d) => addRow(d, partners));
    const both = A.merge(a, b);
    expect(Object.keys(both.partners)).toHaveLength(2);
    const [id] = Object.keys(both.partners);
    const removed = A.change(A.clone(both), (d) => removeRow(d, 'partners', id));
    const edited = A.change(A.clone(both), (d) => editText(d, ['partners', id, 'organisation'], 'Red Cross'));
    expect(A.merge(removed, edited).partners[id]).toBeUndefined();
  });
});

describe('scalars', () => {
  it('writes enums and dates as ImmutableString and numbers as numbers', () => {
    let doc = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    doc = A.change(doc, (d) => {
      setScalar(d, ['meta', 'status'], 'adopted');
      setScalar(d, ['meta', 'periodStart'], '2027-01-01');
    });
    expect(doc.meta.status).toBeInstanceOf(A.ImmutableString);
    expect(String(doc.meta.periodStart)).toBe('2027-01-01');
  });

  it('reports a conflict when two members set one scalar at once', () => {
    const base = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    const a = A.change(A.clone(base, 'aa'), (d) => setScalar(d, ['meta', 'status'], 'adopted'));
    const b = A.change(A.clone(base, 'bb'), (d) => setScalar(d, ['meta', 'status'], 'consultation'));
    const merged = A.merge(A.clone(a), b);
    const values = conflictingValues(merged, ['meta', 'status']);
    expect(values).not.toBeNull();
    expect(values![0]).toBe(String(merged.meta.status));
    expect([...values!].sort()).toEqual(['adopted', 'consultation']);
    expect(conflictingValues(a, ['meta', 'status'])).toBeNull();
  });

  it('counts risks in the likelihood × impact matrix', () => {
    const risks = SECTIONS['action-plan'].find((s) => s.key === 'risks')!;
    let doc = A.load<AnyDoc>(initialDocument('action-plan', 'x'));
    doc = A.change(doc, (d) => {
      const id = addRow(d, risks);
      setScalar(d, ['risks', id, 'likelihood'], 4);
      setScalar(d, ['risks', id, 'impact'], 5);
    });
    const matrix = riskMatrix(doc);
    expect(matrix[3][4]).toBe(1);
    expect(matrix[0][0]).toBe(1);
    expect(matrix.flat().reduce((a, b) => a + b)).toBe(2);
  });
});

describe('comments', () => {
  it('adds, resolves and reopens comments anchored to a section', () => {
    let doc = A.load<AnyDoc>(initialDocument('action-plan' as TemplateId, 'x'));
    let first = '';
    doc = A.change(doc, (d) => {
      first = addComment(d, { anchor: 'context', author: 'u-amina', authorName: 'Amina', body: 'Add figures' }, new Date('2026-12-01T10:00:00Z'));
      addComment(d, { anchor: 'risks', author: 'u-elena', authorName: 'Elena', body: 'Second risk?' }, new Date('2026-12-01T11:00:00Z'));
    });
    expect(doc.comments[first].anchor).toBeInstanceOf(A.ImmutableString);
    expect(typeof doc.comments[first].body).toBe('string');
    expect(listComments(doc).map((c) => [c.anchor, c.authorName, c.body, c.resolved])).toEqual([
      ['context', 'Amina', 'Add figures', false],
      ['risks', 'Elena', 'Second risk?', false],
    ]);
    doc = A.change(doc, (d) => setResolved(d, first, true));
    expect(listComments(doc).filter((c) => !c.resolved).map((c) => c.body)).toEqual(['Second risk?']);
    doc = A.change(doc, (d) => setResolved(d, first, false));
    expect(listComments(doc)[0].resolved).toBe(false);
  });
});
