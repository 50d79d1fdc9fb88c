import { useEffect, useState } from 'preact/hooks';
import { formatDate, type MessageKey, t } from '../../i18n';
import type { User } from '../../model';
import { label } from '../export';
import type { DocumentsService, DocumentSummary, OpenDocument, TemplateId } from '../model';
import { TEMPLATES } from '../templates';
import { DocumentEditor } from './DocumentEditor';

/**
 * A channel's documents: the list, a new document from a template, and the open one. Render it
 * with `key={channelId}` so another channel starts with a fresh list and no open document.
 */
export function DocumentsPanel({
  service,
  channelId,
  users,
  me,
}: {
  service: DocumentsService;
  channelId: string;
  users?: Map<string, User>;
  me: { userId: string; name: string };
}) {
  const [documents, setDocuments] = useState<DocumentSummary[] | null>(null);
  const [openDoc, setOpenDoc] = useState<OpenDocument | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = (userId: string) => users?.get(userId)?.displayName ?? (userId === me.userId ? me.name : t('chat.unknownMember'));

  useEffect(() => {
    let live = true;
    const reload = () =>
      service.list(channelId).then(
        (list) => live && setDocuments(list),
        () => live && setError(t('docs.listFailed')),
      );
    void reload();
    const unsubscribe = service.subscribeList(channelId, () => void reload());
    return () => {
      live = false;
      unsubscribe();
    };
  }, [service, channelId]);

  // One open document at a time; closing it stops its presence and subscriptions.
  useEffect(() => () => openDoc?.close(), [openDoc]);

  const openDocument = async (id: string) => {
    setError(null);
    try {
      setOpenDoc(await service.open(channelId, id));
    } catch {
      setError(t('docs.openFailed'));
    }
  };

  if (openDoc) {
    return <DocumentEditor key={openDoc.id} open={openDoc} me={me} name={name} onClose={() => setOpenDoc(null)} />;
  }

  const sorted = [...(documents ?? [])].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  return (
    <section class="documents" aria-labelledby="documents-title">
      <div class="row spread">
        <h2 id="documents-title">{t('docs.title')}</h2>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            {t('docs.new')}
          </button>
        )}
      </div>
      <p class="muted small">{t('docs.explain')}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {creating && (
        <NewDocument
          onCancel={() => setCreating(false)}
          onCreate={async (template, title) => {
            setError(null);
            try {
              const id = await service.create(channelId, template, title);
              setCreating(false);
              await openDocument(id);
            } catch {
              setError(t('docs.createFailed'));
            }
          }}
        />
      )}
      {documents === null && !error && <p class="muted">{t('common.loading')}</p>}
      {documents?.length === 0 && <p class="muted">{t('docs.none')}</p>}
      {sorted.length > 0 && (
        <table class="documents-list">
          <thead>
            <tr>
              <th scope="col">{t('docs.field.title')}</th>
              <th scope="col">{t('docs.template')}</th>
              <th scope="col">{t('docs.lastChange')}</th>
              <th scope="col">{t('docs.createdBy')}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((d) => (
              <tr key={d.id} data-document={d.id}>
                <td>
                  {d.title === null ? (
                    <span class="muted">{t('docs.waitingForKey')}</span>
                  ) : (
                    <button type="button" class="link" dir="auto" onClick={() => void openDocument(d.id)}>
                      {d.title || t('docs.untitled')}
                    </button>
                  )}
                </td>
                <td>{d.template ? t(label.template(d.template)) : '—'}</td>
                <td>
                  <time dateTime={d.updatedAt}>{formatDate(d.updatedAt)}</time>
                </td>
                <td><span dir="auto">{name(d.createdBy)}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewDocument({
  onCreate,
  onCancel,
}: {
  onCreate: (template: TemplateId, title: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [template, setTemplate] = useState<TemplateId>('action-plan');
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      class="card new-document"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!title.trim()) return setProblem(t('docs.needTitle'));
        setProblem(null);
        setBusy(true);
        try {
          await onCreate(template, title.trim());
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset>
        <legend>{t('docs.template')}</legend>
        {TEMPLATES.map((id) => (
          <label class="check template-choice" key={id}>
            <input type="radio" name="template" value={id} checked={template === id} onChange={() => setTemplate(id)} />
            <span>
              <strong>{t(label.template(id))}</strong>
              <span class="muted small"> {t(`docs.templateHelp.${id}` as MessageKey)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label>
        {t('docs.newTitle')}
        <input type="text" value={title} maxLength={200} dir="auto" onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <div class="row">
        <button type="submit" disabled={busy}>
          {t('docs.create')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('create.cancel')}
        </button>
      </div>
    </form>
  );
}
