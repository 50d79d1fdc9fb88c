import { useState } from 'preact/hooks';
import { formatDate, t, tf } from '../../i18n';
import { label } from '../export';
import type { OpenDocument, TemplateId } from '../model';
import { SECTIONS } from '../templates';
import { addComment, type CommentRecord, setResolved } from './edits';

/** Comments anchored to a section: add one, resolve or reopen, show only the open ones. */
export function Comments({
  open,
  template,
  comments,
  anchor,
  setAnchor,
  me,
  readOnly,
}: {
  open: OpenDocument;
  template: TemplateId;
  comments: CommentRecord[];
  anchor: string;
  setAnchor: (anchor: string) => void;
  me: { userId: string; name: string };
  readOnly: boolean;
}) {
  const [draft, setDraft] = useState('');
  const [onlyOpen, setOnlyOpen] = useState(true);
  const shown = onlyOpen ? comments.filter((c) => !c.resolved) : comments;
  const sectionName = (a: string) => {
    const key = a.split('/')[0];
    return SECTIONS[template].some((s) => s.key === key) ? t(label.section(key)) : a;
  };

  return (
    <aside class="doc-side" aria-labelledby="doc-comments-title">
      <h2 id="doc-comments-title">{t('docs.comments')}</h2>
      <label class="check">
        <input type="checkbox" checked={onlyOpen} onChange={(e) => setOnlyOpen(e.currentTarget.checked)} />
        {t('docs.onlyOpen')}
      </label>
      {shown.length === 0 && <p class="muted small">{onlyOpen ? t('docs.noOpenComments') : t('docs.noComments')}</p>}
      <ul class="doc-comments">
        {shown.map((c) => (
          <li key={c.id} class={c.resolved ? 'resolved' : undefined} data-comment={c.id}>
            <div class="message-meta">
              <span class="sender" dir="auto">{c.authorName || t('chat.unknownMember')}</span>
              {c.createdAt && <time dateTime={c.createdAt}>{formatDate(c.createdAt)}</time>}
            </div>
            <p class="muted small">{tf('docs.on', { section: sectionName(c.anchor) })}</p>
            <p class="body" dir="auto">
              {c.body}
            </p>
            {c.resolved && <p class="small">{t('docs.resolved')}</p>}
            {!readOnly && (
              <button
                type="button"
                class="link small"
                onClick={() => open.change((d) => setResolved(d, c.id, !c.resolved))}
              >
                {c.resolved ? t('docs.reopen') : t('docs.resolve')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const body = draft.trim();
            if (!body) return;
            open.change((d) => addComment(d, { anchor, author: me.userId, authorName: me.name, body }));
            setDraft('');
          }}
        >
          <label>
            {t('docs.commentOn')}
            <select value={anchor} onChange={(e) => setAnchor(e.currentTarget.value)}>
              {SECTIONS[template].map((s) => (
                <option key={s.key} value={s.key}>
                  {t(label.section(s.key))}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('docs.commentText')}
            <textarea rows={3} dir="auto" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={draft.trim() === ''}>
            {t('docs.addComment')}
          </button>
        </form>
      )}
    </aside>
  );
}
