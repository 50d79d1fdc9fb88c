import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { t } from '../i18n';
import { ErrorText } from './ErrorText';

export function Login({ api, onSignedIn }: { api: Api; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(email, password);
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>{t('login.title')}</h1>
      <label>
        {t('login.email')}
        <input type="email" autocomplete="username" required value={email}
          onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        {t('login.password')}
        <input type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <ErrorText error={error} />
      <button type="submit" disabled={busy}>{t('login.submit')}</button>
    </form>
  );
}
