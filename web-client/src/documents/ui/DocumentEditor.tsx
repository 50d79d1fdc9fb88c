import * as A from '@automerge/automerge/slim';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { formatDate, type MessageKey, t, tf } from '../../i18n';
import { exportFileName, label, toHtml, toMarkdown } from '../export';
import type { AnyDoc, DocumentStatus, DocumentVersion, OpenDocument } from '../model';
import { templateOfSchema } from '../templates';
import { ChangeStamps } from './changes';
import { Comments } from './Comments';
import { listComments } from './edits';
import type { FieldContext } from './fields';
import { History } from './History';
import { Sections } from './Sections';

type Side = 'comments' | 'history' | null;

/** One open document: status, who else is here, the template's forms, comments and history. */
export function DocumentEditor({
  open,
  me,
  name,
  onClose,
}: {
  open: OpenDocument;
  me: { userId: string; name: string };
  name: (userId: string) => string;
  onClose: () => void;
}) {
  const [, setTick] = useState(0);
  const rerender = () => setTick((n) => n + 1);
  const [side, setSide] = useState<Side>(null);
  const [anchor, setAnchor] = useState('meta');
  const [viewing, setViewing] = useState<DocumentVersion | null>(null);

  useEffect(() => {
    const unsubscribe = open.subscribe(rerender);
    rerender(); // a change between the first render and this effect would otherwise wait for the next one
    return unsubscribe;
  }, [open]);
  useEffect(() => () => open.setPresence([]), [open]);

  const current = open.doc();
  const [stamps] = useState(() => new ChangeStamps());
  stamps.update(current);
  const shown = useMemo<AnyDoc>(() => (viewing ? A.view(current, viewing.heads) : current), [current, viewing]);
  const template = templateOfSchema(String(current?.schema ?? ''));
  const comments = useMemo(() => listComments(current), [current]);
  // Names come from this reader's directory by the user the frame names, never from the name a
  // presence message claims for itself.
  const peers = open.presence().map((p) => ({ ...p, name: name(p.userId) }));
  const ctx: FieldContext = {
    doc: shown,
    open,
    readOnly: viewing !== null,
    peers: viewing ? [] : peers,
    viewKey: viewing ? `version:${viewing.id}` : 'current',
  };
  const title = String(shown?.meta?.title ?? '').trim() || t('docs.untitled');

  const restore = (version: DocumentVersion) => {
    if (!confirm(tf('docs.restoreConfirm', { name: version.name }))) return;
    open.restore(version.heads);
    setViewing(null);
  };

  const exportAs = (kind: 'md' | 'html' | 'print') => {
    const options = { version: viewing ? { name: viewing.name, createdAt: viewing.createdAt } : undefined };
    // The state at the click, not at the last render (a change may not have re-rendered yet).
    const state = viewing ? A.view(open.doc(), viewing.heads) : open.doc();
    const content = kind === 'md' ? toMarkdown(state, options) : toHtml(state, options);
    const blob = new Blob([content], { type: kind === 'md' ? 'text/markdown;charset=utf-8' : 'text/html;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    if (kind === 'print') {
      // Not 'noopener': that makes open() return null, and we need the window to print it. The
      // page is our own escaped HTML without scripts, and it gets no way back to this one.
      const win = window.open(url, '_blank');
      if (win) {
        win.opener = null;
        win.addEventListener('load', () => win.print(), { once: true });
      } else {
        downloadUrl(url, exportFileName(title, 'html'));
      }
    } else {
      downloadUrl(url, exportFileName(title, kind));
    }
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  return (
    // The UI keeps the reader's direction; each field and the title take their text's (dir="auto").
    <article class="document" aria-labelledby="doc-title">
      <header class="doc-head">
        <div>
          <button type="button" class="link small" onClick={onClose}>
            {t('docs.backToList')}
          </button>
          <h1 id="doc-title" dir="auto">
            {title}
          </h1>
          {template && <p class="muted small">{t(label.template(template))}</p>}
          <StatusLine status={open.status()} />
          {peers.length > 0 && (
            <p class="doc-presence small">
              {tf('docs.alsoHere', {
                names: peers.map((p) => (p.path.length > 0 ? tf('docs.inField', { name: p.name, field: fieldName(p.path) }) : p.name)).join(', '),
              })}
            </p>
          )}
        </div>
        <div class="doc-tools row" role="toolbar" aria-label={t('docs.tools')}>
          <button type="button" class="secondary small" aria-pressed={side === 'comments'} onClick={() => setSide(side === 'comments' ? null : 'comments')}>
            {tf('docs.commentsCount', { count: comments.filter((c) => !c.resolved).length })}
          </button>
          <button type="button" class="secondary small" aria-pressed={side === 'history'} onClick={() => setSide(side === 'history' ? null : 'history')}>
            {t('docs.history')}
          </button>
          <button type="button" class="secondary small" onClick={() => exportAs('md')}>
            {t('docs.exportMarkdown')}
          </button>
          <button type="button" class="secondary small" onClick={() => exportAs('html')}>
            {t('docs.exportHtml')}
          </button>
          <button type="button" class="secondary small" onClick={() => exportAs('print')}>
            {t('docs.print')}
          </button>
        </div>
      </header>
      {viewing && (
        <div class="banner row spread" role="status">
          <span>{tf('docs.viewingVersion', { name: viewing.name, date: formatDate(viewing.createdAt) })}</span>
          <span class="row">
            <button type="button" class="secondary small" onClick={() => restore(viewing)}>
              {t('docs.restore')}
            </button>
            <button type="button" class="small" onClick={() => setViewing(null)}>
              {t('docs.backToCurrent')}
            </button>
          </span>
        </div>
      )}
      <div class="doc-body">
        {template ? (
          <Sections
            ctx={ctx}
            template={template}
            comments={comments}
            stamps={stamps}
            onComment={(a) => {
              setAnchor(a);
              setSide('comments');
            }}
          />
        ) : (
          <p class="notice">{t('docs.unknownTemplate')}</p>
        )}
        {side === 'comments' && template && (
          <Comments
            open={open}
            template={template}
            comments={comments}
            anchor={anchor}
            setAnchor={setAnchor}
            me={me}
            readOnly={viewing !== null}
          />
        )}
        {side === 'history' && (
          <History open={open} viewing={viewing} onView={setViewing} onRestore={restore} name={name} />
        )}
      </div>
    </article>
  );
}

function fieldName(path: string[]): string {
  const key = path.length > 1 ? path[path.length - 1] : path[0];
  return path.length > 1 ? t(label.field(key)) : t(label.section(key));
}

function downloadUrl(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export function StatusLine({ status }: { status: DocumentStatus }) {
  return (
    <p class={`doc-status doc-status-${status} small`} role="status" data-status={status}>
      {t(`docs.status.${status}` as MessageKey)}
    </p>
  );
}

export const STATUSES: readonly DocumentStatus[] = ['synced', 'sending', 'offline', 'waiting-for-key', 'unverified'];
