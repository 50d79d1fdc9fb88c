import { useEffect, useState } from 'preact/hooks';
import { formatDate, t } from '../../i18n';
import type { DocumentVersion, OpenDocument } from '../model';

/** Saved versions: save the current state under a name, view one read-only, restore one. */
export function History({
  open,
  viewing,
  onView,
  onRestore,
  name,
}: {
  open: OpenDocument;
  viewing: DocumentVersion | null;
  onView: (version: DocumentVersion | null) => void;
  onRestore: (version: DocumentVersion) => void;
  name: (userId: string) => string;
}) {
  const [versions, setVersions] = useState<DocumentVersion[] | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = () =>
    open.versions().then(
      (v) => setVersions(v),
      () => setError(t('docs.versionsFailed')),
    );
  // Read when the panel opens and after saving; not on every keystroke (versions may come over HTTP).
  useEffect(() => {
    void reload();
  }, [open]);

  const save = async () => {
    const title = draft.trim();
    if (!title) return;
    setBusy(true);
    setError(null);
    try {
      await open.saveVersion(title);
      setDraft('');
      await reload();
    } catch {
      setError(t('docs.saveVersionFailed'));
    } finally {
      setBusy(false);
    }
  };

  const newestFirst = [...(versions ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  return (
    <aside class="doc-side" aria-labelledby="doc-history-title">
      <h2 id="doc-history-title">{t('docs.history')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          {t('docs.versionName')}
          <input type="text" value={draft} maxLength={200} dir="auto" onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || draft.trim() === ''}>
          {t('docs.saveVersion')}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {versions === null && <p class="muted small">{t('common.loading')}</p>}
      {versions?.length === 0 && <p class="muted small">{t('docs.noVersions')}</p>}
      <ul class="doc-versions">
        {newestFirst.map((v) => (
          <li key={v.id} class={viewing?.id === v.id ? 'current' : undefined} data-version={v.id}>
            <span class="member-name" dir="auto">
              {v.name}
            </span>
            <span class="muted small">
              <span dir="auto">{name(v.authorUserId)}</span> · <time dateTime={v.createdAt}>{formatDate(v.createdAt)}</time>
            </span>
            {!v.verified && <span class="error small">{t('docs.versionUnverified')}</span>}
            <span class="row">
              {v.verified && viewing?.id !== v.id && (
                <button type="button" class="link small" onClick={() => onView(v)}>
                  {t('docs.viewVersion')}
                </button>
              )}
              {v.verified && (
                <button type="button" class="link small" onClick={() => onRestore(v)}>
                  {t('docs.restore')}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
    </aside>
  );
}
