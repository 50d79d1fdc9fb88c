import { useEffect, useRef, useState } from 'preact/hooks';
import { Api, sessionTokenStore } from './api';
import { getLanguage, LANGUAGES, onLanguageChange, setLanguage, t, type MessageKey } from './i18n';
import { Home } from './pages/Home';
import { Invite } from './pages/Invite';
import { Login } from './pages/Login';

const api = new Api((input, init) => fetch(input, init), sessionTokenStore);

/** Client-side routes: /invite/<code>, /login, and / for everything a signed-in member sees. */
export function App() {
  const [path, setPath] = useState(location.pathname);
  const [signedIn, setSignedIn] = useState(api.signedIn);
  // t() reads the current language; this state only makes a switch re-render the whole tree.
  const [language, setShownLanguage] = useState(getLanguage());

  useEffect(() => onLanguageChange(setShownLanguage), []);

  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    api.onSignedOut = () => setSignedIn(false);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const go = (to: string) => {
    history.pushState(null, '', to);
    setPath(to);
  };
  // Right after signing in (or registering) the profile's language wins; on a reload of a signed-in
  // tab the language last chosen on this device does, as there is no endpoint to change the profile's.
  const adoptProfileLanguage = useRef(false);
  const onProfileLanguage = (l: string) => {
    if (adoptProfileLanguage.current) setLanguage(l);
    adoptProfileLanguage.current = false;
  };
  const onSignedIn = () => {
    adoptProfileLanguage.current = true;
    setSignedIn(true);
    go('/');
  };

  let page;
  if (path.startsWith('/invite/')) {
    page = <Invite api={api} code={decodeURIComponent(path.slice(8))} onSignedIn={onSignedIn} />;
  } else if (!signedIn) {
    page = <Login api={api} onSignedIn={onSignedIn} />;
  } else {
    page = <Home api={api} onProfileLanguage={onProfileLanguage} />;
  }

  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <span class="tagline">{t('app.tagline')}</span>
        <label class="inline language">
          <span class="visually-hidden">{t('nav.language')}</span>
          <select value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            {LANGUAGES.map((l) => (
              <option value={l} lang={l}>{t(`language.${l}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        {signedIn && !path.startsWith('/invite/') && (
          <button class="link" onClick={() => api.logout().finally(() => go('/login'))}>
            {t('nav.signOut')}
          </button>
        )}
      </header>
      <main>{page}</main>
    </div>
  );
}
