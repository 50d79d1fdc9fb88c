import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { t } from '../i18n';
import { useAction } from '../useAction';
import { ErrorText } from './ErrorText';

export function Login({ api, onSignedIn }: { api: Api; onSignedIn: (password: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await api.login(email, password);
      onSignedIn(password);
    });
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
