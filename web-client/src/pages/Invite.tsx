import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { formatDate, getLanguage, LANGUAGES, setLanguage, t, type MessageKey } from '../i18n';
import { passwordProblem } from '../validation';
import { useAction } from '../useAction';
import { ErrorText } from './ErrorText';

interface Preview {
  email: string | null;
  cityName: string | null;
  organisationName: string | null;
  sector: string;
  tier: string;
  role: string;
  expiresAt: string;
}

export function Invite({ api, code, onSignedIn }: { api: Api; code: string; onSignedIn: (password: string) => void }) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const { busy, error, setError, run } = useAction();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api
      .anonymous<Preview>('POST', '/api/v1/invitations/preview', { code })
      .then((p) => {
        setPreview(p);
        setEmail(p.email ?? '');
      })
      .catch(setError);
  }, [code]);

  const submit = (e: Event) => {
    e.preventDefault();
    const check = passwordProblem(password, confirmation);
    setProblem(check);
    if (check !== null) return;
    run(async () => {
      await api.anonymous('POST', '/api/v1/auth/register', {
        inviteCode: code,
        email,
        displayName,
        password,
        preferredLanguage: getLanguage(),
      });
      await api.login(email, password);
      onSignedIn(password);
    });
  };

  if (preview === null) {
    return (
      <section class="card narrow">
        <h1>{t('invite.title')}</h1>
        {error ? <ErrorText error={error} /> : <p>{t('invite.checking')}</p>}
      </section>
    );
  }

  return (
    <form class="card narrow" onSubmit={submit}>
      <h1>{t('invite.title')}</h1>
      <p>{t('invite.details')}</p>
      <dl class="facts">
        <dt>{t('invite.city')}</dt>
        <dd><span dir="auto">{preview.cityName ?? t('invite.network')}</span></dd>
        <dt>{t('invite.organisation')}</dt>
        <dd><span dir="auto">{preview.organisationName ?? t('invite.network')}</span></dd>
        <dt>{t('invite.sector')}</dt>
        <dd>{t(`sector.${preview.sector}` as MessageKey)}</dd>
        <dt>{t('invite.tier')}</dt>
        <dd>{t(`tier.${preview.tier}` as MessageKey)}</dd>
        <dt>{t('invite.role')}</dt>
        <dd>{t(`role.${preview.role}` as MessageKey)}</dd>
        <dt>{t('invite.expires')}</dt>
        <dd>{formatDate(preview.expiresAt)}</dd>
      </dl>
      <label>
        {t('invite.email')}
        <input type="email" autocomplete="username" required value={email}
          readOnly={preview.email !== null} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        {t('invite.displayName')}
        <input required dir="auto" maxLength={100} value={displayName}
          onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </label>
      <label>
        {t('invite.password')}
        <input type="password" autocomplete="new-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <label>
        {t('invite.confirm')}
        <input type="password" autocomplete="new-password" required value={confirmation}
          onInput={(e) => setConfirmation(e.currentTarget.value)} />
      </label>
      <label>
        {t('invite.language')}
        {/* The account's language is the one the invitation is read in: choosing here switches the UI. */}
        <select value={getLanguage()} onChange={(e) => setLanguage(e.currentTarget.value)}>
          {LANGUAGES.map((l) => (
            <option value={l} lang={l}>{t(`language.${l}` as MessageKey)}</option>
          ))}
        </select>
      </label>
      {problem && (
        <p class="error" role="alert">
          {t(`validation.${problem}` as MessageKey)}
        </p>
      )}
      <ErrorText error={error} />
      <button type="submit" disabled={busy}>{t('invite.submit')}</button>
    </form>
  );
}
