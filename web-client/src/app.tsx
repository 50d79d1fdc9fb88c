import { useEffect, useState } from 'preact/hooks';
import { Api, sessionTokenStore } from './api';
import { t } from './i18n';
import { Home } from './pages/Home';
import { Invite } from './pages/Invite';
import { Login } from './pages/Login';

const api = new Api((input, init) => fetch(input, init), sessionTokenStore);

/** Client-side routes: /invite/<code>, /login, and / for everything a signed-in member sees. */
export function App() {
  const [path, setPath] = useState(location.pathname);
  const [signedIn, setSignedIn] = useState(api.signedIn);

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
  const onSignedIn = () => {
    setSignedIn(true);
    go('/');
  };

  let page;
  if (path.startsWith('/invite/')) {
    page = <Invite api={api} code={decodeURIComponent(path.slice(8))} onSignedIn={onSignedIn} />;
  } else if (!signedIn) {
    page = <Login api={api} onSignedIn={onSignedIn} />;
  } else {
    page = <Home api={api} />;
  }

  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <span class="tagline">{t('app.tagline')}</span>
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
