import { Component, type ComponentChild } from 'preact';
import { getLanguage, type Language, t, tf } from '../../i18n';
import { label } from '../export';
import type { AnyDoc, Presence, TemplateId } from '../model';
import { orderedRows, SECTIONS, type SectionSpec } from '../templates';
import type { ChangeStamps } from './changes';
import { addRow, type CommentRecord, moveRow, removeRow, riskMatrix } from './edits';
import { Field, type FieldContext, TextField } from './fields';

/** Every section of the document's template, as forms. */
export function Sections({
  ctx,
  template,
  comments,
  onComment,
  stamps,
}: {
  ctx: FieldContext;
  template: TemplateId;
  comments: CommentRecord[];
  onComment: (anchor: string) => void;
  stamps: ChangeStamps;
}) {
  const language = getLanguage();
  return (
    <div class="doc-sections">
      {SECTIONS[template].map((section) => (
        <SectionView
          key={section.key}
          ctx={ctx}
          template={template}
          section={section}
          openComments={comments.filter((c) => !c.resolved && c.anchor.split('/')[0] === section.key).length}
          onComment={onComment}
          stamps={stamps}
          stamp={stamps.of(section.key)}
          peers={peersSignature(ctx.peers, [section.key])}
          language={language}
        />
      ))}
    </div>
  );
}

interface SectionProps {
  ctx: FieldContext;
  template: TemplateId;
  section: SectionSpec;
  openComments: number;
  onComment: (anchor: string) => void;
  stamps: ChangeStamps;
  stamp: string;
  peers: string;
  language: Language;
}

/** Who is where under a path, as a string: a section or row re-renders when it changes. */
function peersSignature(peers: Presence[], prefix: string[]): string {
  return peers
    .filter((p) => prefix.every((key, i) => p.path[i] === key))
    .map((p) => `${p.deviceId}:${p.name}:${p.path.join('/')}:${p.cursor ?? ''}`)
    .join('|');
}

/**
 * A component that re-renders only when `same` says its props differ. Not preact/compat's memo:
 * loading compat would turn every `onChange` of the whole app into `onInput`.
 */
function memoBy<P>(view: (props: P) => ComponentChild, same: (a: P, b: P) => boolean) {
  return class extends Component<P> {
    shouldComponentUpdate(next: P) {
      return !same(this.props as P, next);
    }
    render() {
      return view(this.props as P);
    }
  };
}

// Re-render a section only when something in it changed (see ChangeStamps), not on every keystroke elsewhere.
const unchanged = <P extends { stamp: string; peers: string; language: Language; ctx: FieldContext }>(a: P, b: P) =>
  a.stamp === b.stamp &&
  a.peers === b.peers &&
  a.language === b.language &&
  a.ctx.viewKey === b.ctx.viewKey &&
  a.ctx.readOnly === b.ctx.readOnly;

const SectionView = memoBy(
  ({ ctx, template, section, openComments, onComment, stamps }: SectionProps) => (
    <section class="doc-section" aria-labelledby={`doc-section-${section.key}`}>
      <header class="doc-section-head">
        <h2 id={`doc-section-${section.key}`}>{t(label.section(section.key))}</h2>
        {openComments > 0 && <span class="badge">{tf('docs.openComments', { count: openComments })}</span>}
        {!ctx.readOnly && (
          <button type="button" class="link small" onClick={() => onComment(section.key)}>
            {t('docs.comment')}
          </button>
        )}
      </header>
      <p class="muted small">{t(label.sectionHelp(section.key))}</p>
      <SectionBody ctx={ctx} section={section} stamps={stamps} />
      {template === 'action-plan' && section.key === 'risks' && <RiskMatrix doc={ctx.doc} />}
    </section>
  ),
  (a, b) => unchanged(a, b) && a.openComments === b.openComments,
);

function SectionBody({ ctx, section, stamps }: { ctx: FieldContext; section: SectionSpec; stamps: ChangeStamps }) {
  const value = ctx.doc?.[section.key];
  if (section.kind === 'text') {
    return <TextField ctx={ctx} path={[section.key]} multiline labelText={t(label.section(section.key))} hideLabel />;
  }
  if (section.kind === 'fields') {
    return (
      <div class="doc-fields">
        {section.fields.map((field) => (
          <Field key={field.key} ctx={ctx} path={[section.key, field.key]} field={field} holder={value} />
        ))}
      </div>
    );
  }
  return <RowsTable ctx={ctx} section={section} stamps={stamps} />;
}

/** Rows as a table: one line per row, a field per cell, each input labelled by column and row. */
function RowsTable({
  ctx,
  section,
  stamps,
}: {
  ctx: FieldContext;
  section: Extract<SectionSpec, { kind: 'rows' }>;
  stamps: ChangeStamps;
}) {
  const rows = orderedRows(ctx.doc?.[section.key] as Record<string, AnyDoc>);
  const sectionName = t(label.section(section.key));
  return (
    <div class="doc-rows">
      {rows.length === 0 ? (
        <p class="muted small">{t('docs.noRows')}</p>
      ) : (
        <div class="doc-table-scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                {section.fields.map((f) => (
                  <th scope="col" key={f.key}>
                    {t(label.field(f.key))}
                  </th>
                ))}
                {!ctx.readOnly && (
                  <th scope="col">
                    <span class="visually-hidden">{t('docs.rowActions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map(([id, row], index) => (
                <RowView
                  key={id}
                  ctx={ctx}
                  section={section}
                  id={id}
                  row={row}
                  index={index}
                  last={index === rows.length - 1}
                  stamp={stamps.of(`${section.key}/${id}`)}
                  peers={peersSignature(ctx.peers, [section.key, id])}
                  language={getLanguage()}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!ctx.readOnly && (
        <button type="button" class="secondary small" onClick={() => ctx.open.change((d) => void addRow(d, section))}>
          {tf('docs.addRow', { section: sectionName })}
        </button>
      )}
    </div>
  );
}

interface RowProps {
  ctx: FieldContext;
  section: Extract<SectionSpec, { kind: 'rows' }>;
  id: string;
  row: AnyDoc;
  index: number;
  last: boolean;
  stamp: string;
  peers: string;
  language: Language;
}

const RowView = memoBy(
  ({ ctx, section, id, row, index, last }: RowProps) => {
    const sectionName = t(label.section(section.key));
    return (
      <tr data-row={id}>
        {section.fields.map((f) => (
          <td key={f.key}>
            <Field
              ctx={ctx}
              path={[section.key, id, f.key]}
              field={f}
              holder={row}
              hideLabel
              labelText={tf('docs.rowField', { field: t(label.field(f.key)), row: index + 1 })}
            />
          </td>
        ))}
        {!ctx.readOnly && (
          <td class="row-actions">
            <button
              type="button"
              class="secondary small"
              disabled={index === 0}
              aria-label={tf('docs.moveUpNamed', { section: sectionName, row: index + 1 })}
              onClick={() => ctx.open.change((d) => moveRow(d, section.key, id, -1))}
            >
              ↑
            </button>
            <button
              type="button"
              class="secondary small"
              disabled={last}
              aria-label={tf('docs.moveDownNamed', { section: sectionName, row: index + 1 })}
              onClick={() => ctx.open.change((d) => moveRow(d, section.key, id, 1))}
            >
              ↓
            </button>
            <button
              type="button"
              class="secondary danger small"
              aria-label={tf('docs.removeRowNamed', { section: sectionName, row: index + 1 })}
              onClick={() => ctx.open.change((d) => removeRow(d, section.key, id))}
            >
              {t('docs.removeRow')}
            </button>
          </td>
        )}
      </tr>
    );
  },
  (a, b) => unchanged(a, b) && a.index === b.index && a.last === b.last,
);

/** Likelihood (rows, 5 at the top) × impact (columns): how many risks in each cell. */
function RiskMatrix({ doc }: { doc: AnyDoc }) {
  const matrix = riskMatrix(doc);
  const levels = [5, 4, 3, 2, 1];
  const band = (score: number) => (score >= 15 ? 'high' : score >= 6 ? 'medium' : 'low');
  return (
    <table class="risk-matrix">
      <caption>{t('docs.riskMatrix')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('docs.riskMatrixCorner')}</th>
          {[1, 2, 3, 4, 5].map((i) => (
            <th scope="col" key={i}>
              {i}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {levels.map((l) => (
          <tr key={l}>
            <th scope="row">{l}</th>
            {[1, 2, 3, 4, 5].map((i) => (
              <td key={i} class={`risk-${band(l * i)}`}>
                {matrix[l - 1][i - 1] > 0 ? matrix[l - 1][i - 1] : ''}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
