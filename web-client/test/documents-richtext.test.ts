// @vitest-environment node
// Rich text in free-text fields (docs/documents.md "Rich text"): marks on real Automerge Text, two
// actors merging, list lines, and the HTML and Markdown they render to (everything else escaped).
import * as A from '@automerge/automerge/slim';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHtml, toMarkdown } from '../src/documents/export';
import type { AnyDoc } from '../src/documents/model';
import { applyMark, blocksOf, isFormatted, markActive, richHtml, richMarkdown, safeLink, spansOf, toggleList } from '../src/documents/richtext';
import { initialDocument } from '../src/documents/templates';
import { editText } from '../src/documents/ui/edits';
import { loadAutomerge } from './local-documents';

beforeAll(loadAutomerge);

const BODY = ['body'];
function blank(body: string): A.Doc<AnyDoc> {
  return A.change(A.load<AnyDoc>(initialDocument('blank', 'Notes')), (d) => editText(d, BODY, body));
}
const spans = (doc: AnyDoc) => spansOf(doc, BODY, String(doc.body));

describe('marks', () => {
  it('bold, italic and a link become spans; toggling bold off removes it', () => {
    let doc = blank('Meet the youth workers');
    doc = A.change(doc, (d) => {
      applyMark(d, BODY, 9, 14, 'bold', true);
      applyMark(d, BODY, 9, 22, 'italic', true);
      applyMark(d, BODY, 0, 4, 'link', 'https://example.org/');
    });
    expect(spans(doc)).toEqual([
      { text: 'Meet', link: 'https://example.org/' },
      { text: ' the ' },
      { text: 'youth', bold: true, italic: true },
      { text: ' workers', italic: true },
    ]);
    expect(markActive(doc, BODY, 9, 14, 'bold')).toBe(true);
    expect(markActive(doc, BODY, 8, 14, 'bold')).toBe(false);
    doc = A.change(doc, (d) => applyMark(d, BODY, 9, 14, 'bold', false));
    expect(markActive(doc, BODY, 9, 14, 'bold')).toBe(false);
    expect(spans(doc).some((s) => s.bold)).toBe(false);
  });

  it('typing at the end of bold continues it, at the end of a link does not; an empty range marks nothing', () => {
    let doc = blank('bold link');
    doc = A.change(doc, (d) => {
      applyMark(d, BODY, 0, 4, 'bold', true);
      applyMark(d, BODY, 5, 9, 'link', 'https://example.org/');
      applyMark(d, BODY, 2, 2, 'italic', true);
    });
    // Keystrokes, as the editor sends them (one splice each).
    doc = A.change(doc, (d) => editText(d, BODY, 'boldl link'));
    doc = A.change(doc, (d) => editText(d, BODY, 'boldly link'));
    doc = A.change(doc, (d) => editText(d, BODY, 'boldly links'));
    expect(spans(doc)).toEqual([{ text: 'boldly', bold: true }, { text: ' ' }, { text: 'link', link: 'https://example.org/' }, { text: 's' }]);
  });

  it('two members formatting the same text at once both keep their marks (Arabic, right to left)', () => {
    const base = blank('خطة العمل المحلية لمدينة تونس');
    const other = A.clone(base, '0123456789abcdef0123456789abcdef');
    const mine = A.change(base, (d) => applyMark(d, BODY, 0, 3, 'bold', true));
    const theirs = A.change(other, (d) => {
      applyMark(d, BODY, 4, 9, 'italic', true);
      editText(d, BODY, `${String(d.body)} ٢٠٢٧`);
    });
    const merged = A.merge(mine, theirs);
    expect(A.merge(theirs, mine).body).toBe(merged.body);
    expect(spans(merged).filter((s) => s.bold || s.italic)).toEqual([
      { text: 'خطة', bold: true },
      { text: 'العمل', italic: true },
    ]);
  });

  it('a link other than http(s) or mailto is not read, and the text stays plain', () => {
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('data:text/html,x')).toBeNull();
    expect(safeLink('not a url')).toBeNull();
    expect(safeLink('mailto:a@example.org')).toBe('mailto:a@example.org');
    let doc = blank('click here');
    doc = A.change(doc, (d) => A.mark(d, BODY, { start: 0, end: 5, expand: 'none' }, 'link', 'javascript:alert(1)'));
    doc = A.change(doc, (d) => A.mark(d, BODY, { start: 6, end: 10, expand: 'none' }, 'comment', 'x'));
    expect(spans(doc)).toEqual([{ text: 'click here' }]);
    expect(isFormatted(spans(doc))).toBe(false);
  });
});

describe('lists', () => {
  it('toggles "- " on every line the selection touches, keeping marks and the selection on the same letters', () => {
    let doc = blank('Intro\nfirst\nsecond\nafter');
    doc = A.change(doc, (d) => applyMark(d, BODY, 6, 11, 'bold', true));
    let selection = { start: 0, end: 0 };
    doc = A.change(doc, (d) => (selection = toggleList(d, BODY, String(d.body), 7, 14)));
    expect(doc.body).toBe('Intro\n- first\n- second\nafter');
    expect(selection).toEqual({ start: 9, end: 18 });
    expect(spans(doc).find((s) => s.bold)).toEqual({ text: 'first', bold: true });
    expect(blocksOf(spans(doc)).map((b) => b.kind)).toEqual(['paragraph', 'list', 'paragraph']);
    // All touched lines are items: toggling again makes them plain lines.
    doc = A.change(doc, (d) => (selection = toggleList(d, BODY, String(d.body), 9, 18)));
    expect(doc.body).toBe('Intro\nfirst\nsecond\nafter');
    expect(selection).toEqual({ start: 7, end: 14 });
  });

  it('a caret on the first line of a text makes that line an item', () => {
    let doc = blank('one');
    doc = A.change(doc, (d) => toggleList(d, BODY, String(d.body), 0, 0));
    expect(doc.body).toBe('- one');
  });
});

describe('rendering', () => {
  function formatted(): A.Doc<AnyDoc> {
    let doc = blank('Plan <b>"A"</b> & more\nsecond line\n\n- item *one*\n- item two\nend');
    doc = A.change(doc, (d) => {
      applyMark(d, BODY, 0, 4, 'bold', true);
      applyMark(d, BODY, 23, 29, 'italic', true);
      applyMark(d, BODY, 44, 47, 'link', 'https://example.org/a?b=1&c=(2)');
    });
    return doc;
  }

  it('HTML has our tags only, everything else escaped', () => {
    const html = richHtml(spans(formatted()));
    expect(html).toBe(
      '<p><strong>Plan</strong> &#60;b&#62;&#34;A&#34;&#60;/b&#62; &#38; more<br><em>second</em> line</p>\n' +
        '<ul><li>item *<a href="https://example.org/a?b=1&#38;c=(2)" rel="noopener noreferrer">one</a>*</li><li>item two</li></ul>\n' +
        '<p>end</p>',
    );
  });

  it('Markdown marks hug their words and escape the rest', () => {
    expect(richMarkdown(spans(formatted()))).toBe(
      '**Plan** \\<b\\>"A"\\</b\\> & more  \n*second* line\n\n- item \\*[one](https://example.org/a?b=1&c=%282%29)\\*\n- item two\n\nend',
    );
    let doc = blank('a bold word');
    doc = A.change(doc, (d) => applyMark(d, BODY, 1, 7, 'bold', true));
    expect(richMarkdown(spans(doc))).toBe('a **bold** word');
  });

  it('the exports render the formatting of template fields and rows', () => {
    let plan = A.load<AnyDoc>(initialDocument('action-plan', 'Plan'));
    const risk = Object.keys(plan.risks)[0];
    plan = A.change(plan, (d) => {
      editText(d, ['context', 'summary'], 'Online recruitment is rising');
      applyMark(d, ['context', 'summary'], 0, 6, 'bold', true);
      editText(d, ['risks', risk, 'description'], 'one\n- two');
      applyMark(d, ['risks', risk, 'description'], 0, 3, 'italic', true);
    });
    const md = toMarkdown(plan, { language: 'en' });
    expect(md).toContain('**Online** recruitment is rising');
    expect(md).toContain('*one*<br>- two');
    const html = toHtml(plan, { language: 'en' });
    expect(html).toContain('<p><strong>Online</strong> recruitment is rising</p>');
    expect(html).toContain('<td><em>one</em>\n• two</td>');
  });
});
