/**
 * Export in the client (docs/documents.md "Clients"): Markdown and printable HTML of a document's
 * state, current or at a version. The server never sees either. Comments stay out: they are the
 * drafting conversation, not the document.
 */
import { dateTimeFormat, getLanguage, type Language, type MessageKey, numberFormat, t } from '../i18n';
import type { AnyDoc, TemplateId } from './model';
import { escapeHtml, escapeMarkdown, richCellHtml, richCellMarkdown, richHtml, richMarkdown, spansOf } from './richtext';
import { type FieldSpec, orderedRows, SECTIONS, type SectionSpec, templateOfSchema } from './templates';

export interface ExportOptions {
  language?: Language;
  /** Set when exporting a saved version rather than the current state. */
  version?: { name: string; createdAt: string };
}

/** Keys built from the schema; every one of them is in the catalogue (test/documents-i18n.test.ts). */
export const label = {
  template: (id: TemplateId) => `docs.template.${id}` as MessageKey,
  section: (key: string) => `docs.section.${key}` as MessageKey,
  sectionHelp: (key: string) => `docs.sectionHelp.${key}` as MessageKey,
  field: (key: string) => `docs.field.${key}` as MessageKey,
  value: (value: string) => `docs.value.${value}` as MessageKey,
};

/** Digits after the decimal point of a currency (2 for EUR, 0 for ALL, 3 for JOD). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(minor: number, currency: string, language: Language = getLanguage()): string {
  const digits = currencyDigits(currency);
  const major = minor / 10 ** digits;
  try {
    return numberFormat({ style: 'currency', currency }, language).format(major);
  } catch {
    return `${major.toFixed(digits)} ${currency}`;
  }
}

function formatDay(iso: string, language: Language): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  return dateTimeFormat({ dateStyle: 'long', timeZone: 'UTC' }, language).format(new Date(`${iso}T00:00:00Z`));
}

/** A field's value as readers see it, in the export language. */
export function displayValue(field: FieldSpec, row: AnyDoc, language: Language): string {
  const raw = row?.[field.key];
  if (raw === undefined || raw === null) return '';
  switch (field.kind) {
    case 'enum':
      return String(raw) ? t(label.value(String(raw)), language) : '';
    case 'sector':
      return String(raw) ? t(`sector.${String(raw)}` as MessageKey, language) : '';
    case 'date':
      return formatDay(String(raw), language);
    case 'money':
      return formatMoney(Number(raw), String(row?.[field.currencyField ?? 'currency'] ?? 'EUR'), language);
    case 'currency':
      return '';
    default:
      return String(raw);
  }
}

/**
 * A document is right-to-left when its first strongly directional letter is (title first): an
 * Arabic plan prints RTL whatever the language of the person exporting it.
 */
export function documentDirection(doc: AnyDoc): 'rtl' | 'ltr' {
  for (const text of textsOf(doc)) {
    const match = text.match(/[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}]|[\p{L}]/u);
    if (match) return /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}]/u.test(match[0]) ? 'rtl' : 'ltr';
  }
  return 'ltr';
}

function* textsOf(doc: AnyDoc): Generator<string> {
  if (typeof doc?.meta?.title === 'string') yield doc.meta.title;
  const template = templateOfSchema(String(doc?.schema ?? ''));
  for (const section of template ? SECTIONS[template] : []) {
    if (section.kind === 'text' && typeof doc[section.key] === 'string') yield doc[section.key];
    if (section.kind === 'fields') {
      for (const f of section.fields) if (typeof doc[section.key]?.[f.key] === 'string') yield doc[section.key][f.key];
    }
    if (section.kind === 'rows') {
      for (const [, row] of orderedRows(doc[section.key])) {
        for (const f of section.fields) if (typeof (row as AnyDoc)[f.key] === 'string') yield (row as AnyDoc)[f.key];
      }
    }
  }
}

function shownFields(section: SectionSpec): readonly FieldSpec[] {
  return section.kind === 'text' ? [] : section.fields.filter((f) => f.kind !== 'currency');
}

function context(doc: AnyDoc, options: ExportOptions) {
  const language = options.language ?? getLanguage();
  const template = templateOfSchema(String(doc?.schema ?? '')) ?? 'blank';
  const title = String(doc?.meta?.title ?? '').trim() || t('docs.untitled', language);
  return { language, template, title };
}

// ---------- Markdown

const mdInline = escapeMarkdown;

function mdCell(text: string): string {
  return mdInline(text).replace(/\r?\n/g, '<br>');
}

/** A free-text field with its formatting (docs/documents.md "Rich text"), from the document itself. */
function spansAt(doc: AnyDoc, path: string[]) {
  const value = path.reduce((o, k) => o?.[k], doc);
  return spansOf(doc, path, typeof value === 'string' ? value : '');
}

export function toMarkdown(doc: AnyDoc, options: ExportOptions = {}): string {
  const { language, template, title } = context(doc, options);
  const out: string[] = [`# ${mdInline(title)}`, ''];
  out.push(`*${mdInline(t(label.template(template), language))}*`);
  if (options.version) out.push('', `*${mdInline(`${t('docs.version', language)}: ${options.version.name}`)}*`);
  out.push('');
  for (const section of SECTIONS[template]) {
    const value = doc?.[section.key];
    if (section.kind === 'fields') {
      const fields = shownFields(section).filter((f) => !(section.key === 'meta' && f.key === 'title'));
      if (fields.length === 0) continue;
      out.push(`## ${mdInline(t(label.section(section.key), language))}`, '');
      for (const field of fields) {
        const shown = displayValue(field, value, language);
        if (field.kind === 'text') {
          const rich = shown.trim() ? richMarkdown(spansAt(doc, [section.key, field.key])) : '';
          out.push(`### ${mdInline(t(label.field(field.key), language))}`, '', rich || '—', '');
        } else {
          out.push(`- **${mdInline(t(label.field(field.key), language))}:** ${shown ? mdInline(shown) : '—'}`);
        }
      }
      out.push('');
    } else if (section.kind === 'text') {
      out.push(`## ${mdInline(t(label.section(section.key), language))}`, '');
      out.push((typeof value === 'string' && value.trim() && richMarkdown(spansAt(doc, [section.key]))) || '—', '');
    } else {
      out.push(`## ${mdInline(t(label.section(section.key), language))}`, '');
      const rows = orderedRows(value);
      const fields = shownFields(section);
      if (rows.length === 0) {
        out.push('—', '');
        continue;
      }
      out.push(`| ${fields.map((f) => mdCell(t(label.field(f.key), language))).join(' | ')} |`);
      out.push(`|${fields.map(() => ' --- ').join('|')}|`);
      const cell = (id: string, row: AnyDoc, f: FieldSpec) =>
        f.kind === 'text' ? richCellMarkdown(spansAt(doc, [section.key, id, f.key])) : mdCell(displayValue(f, row, language));
      for (const [id, row] of rows) out.push(`| ${fields.map((f) => cell(id, row, f)).join(' | ')} |`);
      out.push('');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

// ---------- HTML

const esc = escapeHtml;

function htmlBlock(doc: AnyDoc, path: string[]): string {
  return richHtml(spansAt(doc, path)) || '<p>—</p>';
}

/** Print CSS: logical properties only, so the RTL export mirrors as the app does. */
const PRINT_CSS = `
body { font-family: system-ui, 'Segoe UI', 'Noto Sans', 'Noto Sans Arabic', sans-serif; color: #1b1f24;
  max-inline-size: 48rem; margin-inline: auto; padding: 1.5rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-block-end: 0.25rem; }
h2 { font-size: 1.2rem; border-block-end: 1px solid #c4cbd3; padding-block-end: 0.2rem; margin-block-start: 1.5rem; }
h3 { font-size: 1rem; margin-block: 1rem 0.25rem; }
.subtitle { color: #5b6572; margin-block-start: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { color: #5b6572; }
dd { margin: 0; }
table { inline-size: 100%; border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #c4cbd3; padding: 0.3rem 0.45rem; text-align: start; vertical-align: top; }
th { background: #f4f6f8; }
td { white-space: pre-wrap; }
@media print {
  body { padding: 0; max-inline-size: none; }
  h2 { break-after: avoid; }
  tr, dl { break-inside: avoid; }
  @page { margin: 18mm; }
}`;

export function toHtml(doc: AnyDoc, options: ExportOptions = {}): string {
  const { language, template, title } = context(doc, options);
  const dir = documentDirection(doc);
  const body: string[] = [`<h1>${esc(title)}</h1>`];
  const subtitle = [t(label.template(template), language)];
  if (options.version) subtitle.push(`${t('docs.version', language)}: ${options.version.name}`);
  body.push(`<p class="subtitle">${esc(subtitle.join(' · '))}</p>`);
  for (const section of SECTIONS[template]) {
    const value = doc?.[section.key];
    const heading = `<h2>${esc(t(label.section(section.key), language))}</h2>`;
    if (section.kind === 'fields') {
      const fields = shownFields(section).filter((f) => !(section.key === 'meta' && f.key === 'title'));
      if (fields.length === 0) continue;
      body.push(heading);
      const short = fields.filter((f) => f.kind !== 'text');
      if (short.length > 0) {
        body.push('<dl>');
        for (const f of short) {
          body.push(`<dt>${esc(t(label.field(f.key), language))}</dt><dd>${esc(displayValue(f, value, language) || '—')}</dd>`);
        }
        body.push('</dl>');
      }
      for (const f of fields.filter((x) => x.kind === 'text')) {
        body.push(`<h3>${esc(t(label.field(f.key), language))}</h3>`, htmlBlock(doc, [section.key, f.key]));
      }
    } else if (section.kind === 'text') {
      body.push(heading, htmlBlock(doc, [section.key]));
    } else {
      body.push(heading);
      const rows = orderedRows(value);
      const fields = shownFields(section);
      if (rows.length === 0) {
        body.push('<p>—</p>');
        continue;
      }
      body.push('<table><thead><tr>');
      body.push(fields.map((f) => `<th scope="col">${esc(t(label.field(f.key), language))}</th>`).join(''));
      body.push('</tr></thead><tbody>');
      for (const [id, row] of rows) {
        const cell = (f: FieldSpec) => (f.kind === 'text' ? richCellHtml(spansAt(doc, [section.key, id, f.key])) : esc(displayValue(f, row, language)));
        body.push(`<tr>${fields.map((f) => `<td>${cell(f)}</td>`).join('')}</tr>`);
      }
      body.push('</tbody></table>');
    }
  }
  return [
    '<!doctype html>',
    `<html lang="${esc(language)}" dir="${dir}">`,
    '<head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    `<style>${PRINT_CSS}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

/** A file name from the title: letters of any script kept, the rest dashes. */
export function exportFileName(title: string, extension: 'md' | 'html'): string {
  const base = title
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${base || 'document'}.${extension}`;
}
