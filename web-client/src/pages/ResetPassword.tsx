import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { t } from '../i18n';
import { useAction } from '../useAction';
import { ErrorText } from './ErrorText';

/**
 * `/reset/<code>`: a member sets a new password with the one-time link an administrator made.
 * Every session ends; this page then signs in with the new password. The key store this browser
 * may hold opens only with the old password, so it is removed and the usual sign-in flow sets up
 * a new device, offering the key backup first (restore with the recovery code).
 */
export function ResetPassword({ api, code, onSignedIn }: { api: Api; code: string; onSignedIn: (password: string) => void }) {
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const { email } = await api.anonymous<{ email: string }>('POST', '/api/v1/auth/password-reset', { code, newPassword: password });
      await api.login(email, password);
      const claims = api.sessionClaims();
      if (claims) {
        const { storeName } = await import('../device/setup');
        await new Promise<void>((resolve) => {
          const req = indexedDB.deleteDatabase(storeName(claims.userId));
          req.onsuccess = req.onerror = req.onblocked = () => resolve();
        });
      }
      onSignedIn(password);
    });
  };

  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>{t('reset.title')}</h1>
      <p>{t('reset.explain')}</p>
      <p>{t('reset.oldDevices')}</p>
      <label>
        {t('account.newPassword')}
        <input type="password" autocomplete="new-password" required minLength={12} value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <ErrorText error={error} />
      <button type="submit" disabled={busy}>{t('reset.submit')}</button>
    </form>
  );
}
