import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { recoveryCodeGroups } from '../device/backup';
import { createBackup } from '../device/restore';
import type { Device } from '../device/setup';
import { t } from '../i18n';
import { ErrorText } from './ErrorText';

/**
 * Shown once after registration (or after choosing a new device over a restore): uploads a new
 * key backup and only then shows its recovery code, grouped, with a copy button. Continuing needs
 * the "written down" box ticked. The code lives only in this component's state.
 */
export function RecoveryCode({
  api,
  device,
  setupError,
  onDone,
}: {
  api: Api;
  device: Device | null;
  setupError: unknown;
  onDone: () => void;
}) {
  const [code, setCode] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [writtenDown, setWrittenDown] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (device === null || code !== null) return;
    let live = true;
    setFailure(null);
    createBackup(api, device).then(
      (c) => live && setCode(c),
      (e) => live && setFailure(e),
    );
    return () => {
      live = false;
    };
  }, [device, attempt]);

  const copy = () => {
    if (code === null) return;
    navigator.clipboard?.writeText(code).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  let body;
  if (setupError) {
    body = <ErrorText error={setupError} />;
  } else if (failure) {
    body = (
      <>
        <p class="error" role="alert">{t('recovery.failed')}</p>
        <ErrorText error={failure} />
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>{t('recovery.retry')}</button>
      </>
    );
  } else if (code === null) {
    body = <p role="status">{t('recovery.preparing')}</p>;
  } else {
    body = (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (writtenDown) onDone();
        }}
      >
        <p>{t('recovery.explain')}</p>
        <p><strong>{t('recovery.once')}</strong></p>
        <figure class="recovery">
          <figcaption>{t('recovery.codeLabel')}</figcaption>
          <code class="recovery-code" dir="ltr" data-code={code}>
            {recoveryCodeGroups(code).map((group) => (
              <span>{group}</span>
            ))}
          </code>
        </figure>
        <p>
          <button type="button" class="secondary" onClick={copy}>
            {copied ? t('common.copied') : t('common.copy')}
          </button>
        </p>
        <label class="check">
          <input type="checkbox" checked={writtenDown} onChange={(e) => setWrittenDown(e.currentTarget.checked)} />
          {t('recovery.writtenDown')}
        </label>
        <button type="submit" disabled={!writtenDown}>{t('recovery.continue')}</button>
      </form>
    );
  }
  return (
    <section class="card narrow" aria-labelledby="recovery-title">
      <h1 id="recovery-title">{t('recovery.title')}</h1>
      {body}
    </section>
  );
}
