// @vitest-environment node
// Markdown and printable HTML of real Automerge documents, current and at a version; the
// catalogue has every key the templates build.
import * as A from '@automerge/automerge/slim';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentDirection, exportFileName, formatMoney, label, toHtml, toMarkdown } from '../src/documents/export';
import type { AnyDoc } from '../src/documents/model';
import { initialDocument, orderedRows, SECTIONS, TEMPLATES } from '../src/documents/templates';
import { editText, setScalar } from '../src/documents/ui/edits';
import { STATUSES } from '../src/documents/ui/DocumentEditor';
import { CATALOGUES, hasKey, LANGUAGES, setLanguage } from '../src/i18n';
import { loadAutomerge } from './local-documents';

beforeAll(loadAutomerge);
afterEach(() => setLanguage('en', null));

function plan(): A.Doc<AnyDoc> {
  let doc = A.load<AnyDoc>(initialDocument('action-plan', 'Mostar 2027'));
  const [[riskId]] = orderedRows(doc.risks);
  const [[activityId]] = orderedRows(doc.activities);
  doc = A.change(doc, (d) => {
    editText(d, ['meta', 'city'], 'Mostar');
    setScalar(d, ['meta', 'status'], 'consultation');
    setScalar(d, ['meta', 'periodStart'], '2027-01-01');
    editText(d, ['context', 'summary'], 'First line.\nSecond | line with *stars*.');
    editText(d, ['risks', riskId, 'title'], 'Online recruitment');
    setScalar(d, ['risks', riskId, 'likelihood'], 4);
    editText(d, ['activities', activityId, 'title'], 'Youth football league');
    setScalar(d, ['activities', activityId, 'budgetMinor'], 1250050);
  });
  return doc;
}

describe('Markdown export', () => {
  it('has the title, sections, fields, localised values and escaped text', () => {
    const md = toMarkdown(plan(), { language: 'en' });
    expect(md.startsWith('# Mostar 2027\n')).toBe(true);
    expect(md).toContain('*Local action plan*');
    expect(md).toContain('## Overview');
    expect(md).toContain('- **City:** Mostar');
    expect(md).toContain('- **Status:** In consultation');
    expect(md).toContain('- **Period from:** 1 January 2027');
    expect(md).toContain('First line.  \nSecond \\| line with \\*stars\\*.');
    expect(md).toContain('| Title | Description | Likelihood (1–5) | Impact (1–5) |');
    expect(md).toContain('| Online recruitment |  | 4 | 1 |');
    expect(md).toContain('| Youth football league |');
    expect(md).toContain('€12,500.50');
    expect(md).toContain('## Partners\n\n—');
    expect(md).not.toContain('comments');
  });

  it('exports a version as it was, and names it', () => {
    const before = plan();
    const heads = A.getHeads(before);
    const after = A.change(before, (d) => editText(d, ['meta', 'city'], 'Sarajevo'));
    const md = toMarkdown(A.view(after, heads), { language: 'en', version: { name: 'sent to the ministry', createdAt: '' } });
    expect(md).toContain('- **City:** Mostar');
    expect(md).toContain('*Version: sent to the ministry*');
    expect(toMarkdown(after, { language: 'en' })).toContain('- **City:** Sarajevo');
  });

  it('uses the export language for labels', () => {
    const md = toMarkdown(plan(), { language: 'fr' });
    expect(md).toContain('## Aperçu');
    expect(md).toContain('- **Statut:** En consultation');
  });
});

describe('HTML export', () => {
  it('is a printable page with escaped content', () => {
    let doc = plan();
    doc = A.change(doc, (d) => editText(d, ['coordination', 'notes'], '<script>alert(1)</script> & "quotes"'));
    const html = toHtml(doc, { language: 'en' });
    expect(html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
    expect(html).toContain('<title>Mostar 2027</title>');
    expect(html).toContain('@media print');
    expect(html).toContain('<h2>Risks</h2>');
    expect(html).toContain('<th scope="col">Likelihood (1–5)</th>');
    expect(html).toContain('<td>Online recruitment</td>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;');
    // Print CSS mirrors with the direction: logical properties only.
    expect(html).not.toMatch(/(margin|padding|border)-(left|right)|text-align: (left|right)/);
  });

  it('prints an Arabic document right to left, whatever the reader’s language', () => {
    let doc = A.load<AnyDoc>(initialDocument('blank', 'خطة العمل المحلية'));
    doc = A.change(doc, (d) => editText(d, ['body'], 'نص عربي مع English words.'));
    expect(documentDirection(doc)).toBe('rtl');
    const html = toHtml(doc, { language: 'en' });
    expect(html).toContain('dir="rtl"');
    expect(html).toContain('<h1>خطة العمل المحلية</h1>');
    expect(toHtml(doc, { language: 'ar' })).toContain('<html lang="ar" dir="rtl">');
    expect(toMarkdown(doc, { language: 'ar' })).toContain('## النص');
    expect(documentDirection(A.load<AnyDoc>(initialDocument('blank', '2027 Plan')))).toBe('ltr');
    expect(documentDirection(A.load<AnyDoc>(initialDocument('blank', '2027 خطة')))).toBe('rtl');
  });

  it('makes a file name from any script', () => {
    expect(exportFileName('Mostar 2027: plan / draft', 'md')).toBe('Mostar-2027-plan-draft.md');
    expect(exportFileName('خطة العمل', 'html')).toBe('خطة-العمل.html');
    expect(exportFileName('///', 'html')).toBe('document.html');
  });

  it('formats money from minor units by the currency’s digits', () => {
    expect(formatMoney(1250050, 'EUR', 'en')).toBe('€12,500.50');
    expect(formatMoney(1500, 'ALL', 'en')).toContain('1,500');
    expect(formatMoney(1500, 'JOD', 'en')).toContain('1.500');
  });
});

describe('the document strings', () => {
  const keys = new Set<string>();
  for (const template of TEMPLATES) {
    keys.add(label.template(template));
    keys.add(`docs.templateHelp.${template}`);
    for (const section of SECTIONS[template]) {
      keys.add(label.section(section.key));
      keys.add(label.sectionHelp(section.key));
      if (section.kind === 'text') continue;
      for (const field of section.fields) {
        keys.add(label.field(field.key));
        for (const option of field.options ?? []) keys.add(label.value(option));
      }
    }
  }
  for (const status of STATUSES) keys.add(`docs.status.${status}`);

  it('has every key the templates and statuses build, in every language', () => {
    expect([...keys].filter((k) => !hasKey(k))).toEqual([]);
    for (const language of LANGUAGES) {
      const catalogue = CATALOGUES[language] as Record<string, string>;
      expect([...keys].filter((k) => !catalogue[k]), language).toEqual([]);
    }
  });

  it('has no document key the templates do not use', () => {
    const built = [...keys];
    const unused = Object.keys(CATALOGUES.en).filter(
      (k) => /^docs\.(template|templateHelp|section|sectionHelp|field|value|status)\./.test(k) && !built.includes(k),
    );
    expect(unused).toEqual([]);
  });
});
