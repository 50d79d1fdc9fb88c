import { useState } from 'preact/hooks';
import { WrongPassword } from '../device/keystore';
import { t } from '../i18n';
import { ErrorText } from '../pages/ErrorText';

/**
 * Shown when the member is signed in but this device's keys are locked: after a reload (the key
 * is derived from the password and never stored), after inactivity, or after "Lock".
 */
export function Unlock({ unlock }: { unlock: (password: string) => Promise<void> }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  return (
    <section class="card narrow" aria-labelledby="unlock-title">
      <h1 id="unlock-title">{t('lock.title')}</h1>
      <p>{t('lock.explain')}</p>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await unlock(password);
            setPassword('');
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          {t('lock.password')}
          <input type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? t('lock.settingUp') : t('lock.submit')}
        </button>
        {error instanceof WrongPassword ? (
          <p class="error" role="alert">
            {t('lock.wrongPassword')} {t('account.otherBrowsers')}
          </p>
        ) : (
          <ErrorText error={error} />
        )}
      </form>
    </section>
  );
}
