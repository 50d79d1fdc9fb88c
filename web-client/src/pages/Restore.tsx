import { useState } from 'preact/hooks';
import { BackupError } from '../device/backup';
import type { Restored } from '../device/restore';
import { t, tf, type MessageKey } from '../i18n';
import { useAction } from '../useAction';
import { ErrorText } from './ErrorText';

const REASONS: Record<string, MessageKey> = {
  WRONG_CODE: 'backup.wrongCode',
  NOT_A_CODE: 'backup.notACode',
  MALFORMED: 'backup.unreadable',
  BAD_COST: 'backup.unreadable',
};

/**
 * Offered at sign-in when this browser has no keys for the member and the server has their key
 * backup: restore it with the recovery code, or set this browser up as a new device.
 */
export function Restore({
  onRestore,
  onNewDevice,
  onDone,
}: {
  onRestore: (code: string) => Promise<Restored>;
  onNewDevice: () => void;
  onDone: () => void;
}) {
  const [code, setCode] = useState('');
  const [restored, setRestored] = useState<Restored | null>(null);
  const { busy, error, run } = useAction();

  if (restored !== null) {
    return (
      <section class="card narrow" aria-labelledby="restore-title">
        <h1 id="restore-title">{t('restore.title')}</h1>
        <p role="status">{t('restore.done')}</p>
        <HistoryOutcome history={restored.history} />
        <p>{t('restore.newDeviceNext')}</p>
        <button type="button" onClick={onDone}>{t('restore.continue')}</button>
      </section>
    );
  }

  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => setRestored(await onRestore(code)));
  };
  const reason = error instanceof BackupError ? REASONS[error.reason] : undefined;

  return (
    <section class="card narrow" aria-labelledby="restore-title">
      <h1 id="restore-title">{t('restore.title')}</h1>
      <p>{t('restore.explain')}</p>
      <form onSubmit={submit}>
        <label>
          {t('restore.code')}
          <input
            required
            dir="ltr"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            value={code}
            aria-invalid={reason !== undefined}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
        <p>{t('restore.channelsNote')}</p>
        <p>{t('restore.historyNote')}</p>
        {busy && <p role="status">{t('restore.working')}</p>}
        {reason ? (
          <p class="error" role="alert">{t(reason)}</p>
        ) : (
          <ErrorText error={error} />
        )}
        <button type="submit" disabled={busy}>{t('restore.submit')}</button>
      </form>
      <hr />
      <p>{t('restore.newDeviceNote')}</p>
      <button type="button" class="secondary" disabled={busy} onClick={onNewDevice}>{t('restore.newDevice')}</button>
    </section>
  );
}

/** What came back from the encrypted history backup, in words. */
function HistoryOutcome({ history }: { history: Restored['history'] }) {
  if (history === null) return <p>{t('restore.historyNone')}</p>;
  if (history === 'failed') return <p class="error">{t('restore.historyFailed')}</p>;
  if (history.messages === 0 && history.unreadable === 0) return null;
  return (
    <>
      <p>{tf('restore.historyRestored', { count: history.messages })}</p>
      {history.unreadable > 0 && <p>{tf('restore.historyUnreadable', { count: history.unreadable })}</p>}
    </>
  );
}
