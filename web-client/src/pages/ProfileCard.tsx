import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { Confirm } from '../admin/Confirm';
import { Notice } from '../admin/Notice';
import type { KeyStore } from '../device/keystore';
import { getLanguage, LANGUAGES, setLanguage, t, tf, type MessageKey } from '../i18n';
import type { User } from '../model';
import { ErrorText } from './ErrorText';

/**
 * The signed-in member's own account: name and language, password (the key store of this
 * browser is re-encrypted under the new one), and deleting the account.
 */
export function ProfileCard({
  api,
  me,
  store,
  onChanged,
  onDeleted,
}: {
  api: Api;
  me: User;
  /** This browser's open key store, re-wrapped on a password change (null while locked). */
  store: KeyStore | null;
  onChanged: (user: User) => void;
  onDeleted: () => void;
}) {
  const [name, setName] = useState(me.displayName);
  const [language, setShownLanguage] = useState(me.preferredLanguage);
  const [profileDone, setProfileDone] = useState<string | null>(null);
  const [profileError, setProfileError] = useState<unknown>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [passwordDone, setPasswordDone] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<unknown>(null);
  const [deletePassword, setDeletePassword] = useState('');
  const [typed, setTyped] = useState('');
  const [asking, setAsking] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const act = async (action: () => Promise<void>, onError: (e: unknown) => void) => {
    setBusy(true);
    try {
      await action();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const saveProfile = (e: Event) => {
    e.preventDefault();
    setProfileDone(null);
    setProfileError(null);
    void act(async () => {
      const changed: Record<string, string> = {};
      if (name !== me.displayName) changed.displayName = name;
      if (language !== me.preferredLanguage) changed.preferredLanguage = language;
      if (Object.keys(changed).length === 0) return setProfileDone(t('account.saved'));
      const user = await api.call<User>('PATCH', '/api/v1/me', changed);
      if (user.preferredLanguage !== getLanguage()) setLanguage(user.preferredLanguage);
      onChanged(user);
      setName(user.displayName);
      setProfileDone(t('account.saved'));
    }, setProfileError);
  };

  const changePassword = (e: Event) => {
    e.preventDefault();
    setPasswordDone(null);
    setPasswordError(null);
    void act(async () => {
      await api.call('POST', '/api/v1/me/password', { currentPassword: current, newPassword: next });
      let rewrapped = true;
      try {
        await store?.rewrap(next);
      } catch {
        rewrapped = false;
      }
      setCurrent('');
      setNext('');
      setPasswordDone(`${t(rewrapped ? 'account.passwordChanged' : 'account.storeNotRewrapped')} ${t('account.otherBrowsers')}`);
    }, setPasswordError);
  };

  const word = t('account.deleteWord');
  const deleteAccount = () =>
    act(async () => {
      await api.call('DELETE', '/api/v1/me', { password: deletePassword });
      setAsking(false);
      onDeleted();
    }, (e) => {
      setAsking(false);
      setDeleteError(e);
    });

  return (
    <>
      <section class="card" aria-labelledby="account-profile">
        <h2 id="account-profile">{t('account.editTitle')}</h2>
        <form class="stack" onSubmit={saveProfile}>
          <label>
            {t('account.displayName')}
            <input dir="auto" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            {t('account.language')}
            <select value={language} onChange={(e) => setShownLanguage(e.currentTarget.value)}>
              {LANGUAGES.map((l) => (
                <option value={l} lang={l}>{t(`language.${l}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>{t('account.save')}</button>
          <Notice text={profileDone} />
          <ErrorText error={profileError} />
        </form>
      </section>

      <section class="card" aria-labelledby="account-password">
        <h2 id="account-password">{t('account.passwordTitle')}</h2>
        <form class="stack" onSubmit={changePassword}>
          <label>
            {t('account.currentPassword')}
            <input type="password" autoComplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
          </label>
          <label>
            {t('account.newPassword')}
            <input type="password" autoComplete="new-password" required minLength={12} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
          </label>
          <p class="small muted">{t('account.otherBrowsers')}</p>
          <button type="submit" disabled={busy}>{t('account.changePassword')}</button>
          <Notice text={passwordDone} />
          <ErrorText error={passwordError} />
        </form>
      </section>

      <section class="card" aria-labelledby="account-delete">
        <h2 id="account-delete">{t('account.deleteTitle')}</h2>
        <p>{t('account.deleteExplain')}</p>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            setDeleteError(null);
            if (typed.trim() !== word) return setDeleteError({ code: 'delete-word' });
            setAsking(true);
          }}
        >
          <label>
            {t('account.deletePassword')}
            <input type="password" autoComplete="current-password" required value={deletePassword} onInput={(e) => setDeletePassword(e.currentTarget.value)} />
          </label>
          <label>
            {tf('account.deleteTypeLabel', { word })}
            <input required value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
          </label>
          <button type="submit" class="secondary danger" disabled={busy}>{t('account.deleteButton')}</button>
          {(deleteError as { code?: string } | null)?.code === 'delete-word' ? (
            <p class="error" role="alert">{t('account.deleteMismatch')}</p>
          ) : (
            <ErrorText error={deleteError} />
          )}
        </form>
        {asking && <Confirm question={t('account.deleteAsk')} busy={busy} onConfirm={() => void deleteAccount()} onCancel={() => setAsking(false)} />}
      </section>
    </>
  );
}
