import { useEffect, useRef, useState } from 'preact/hooks';
import { Api, sessionTokenStore } from './api';
import type { Device } from './device/setup';
import type { SealedBackup } from './device/backup';
import { getLanguage, LANGUAGES, onLanguageChange, setLanguage, t, type MessageKey } from './i18n';
import { Invite } from './pages/Invite';
import type { DeviceState } from './pages/DevicePanel';
import { Login } from './pages/Login';
import { ResetPassword } from './pages/ResetPassword';
import { lockAfterMs } from './workspace/idleLock';

type SignedIn = typeof import('./signedIn');
let signedInModule: Promise<SignedIn> | undefined;
/** The signed-in code, fetched once (right after the first screen shows, or when first needed). */
const loadSignedIn = () => (signedInModule ??= import('./signedIn'));

/** Recovery screens between sign-in and home: restore from the key backup, or show a new code. */
type Recovery = { kind: 'restore'; backup: SealedBackup } | { kind: 'code' } | null;

const api = new Api((input, init) => fetch(input, init), sessionTokenStore);

/** The device id is not secret; kept per tab so a reload can still show the device's status. */
const DEVICE_KEY = 'liaison.device';
const initialDevice = (): DeviceState => ({
  device: null,
  deviceId: api.signedIn ? sessionStorage.getItem(DEVICE_KEY) : null,
  settingUp: false,
  error: null,
});


/**
 * Client-side routes: /invite/<code>, /login, and for a signed-in member / (profile and device),
 * /c/<channel id> and /new, beside the channel list.
 */
export function App() {
  const [path, setPath] = useState(location.pathname);
  const [m, setSignedInModule] = useState<SignedIn | null>(null);
  useEffect(() => {
    loadSignedIn().then(setSignedInModule);
  }, []);
  const [signedIn, setSignedIn] = useState(api.signedIn);
  // t() reads the current language; this state only makes a switch re-render the whole tree.
  const [language, setShownLanguage] = useState(getLanguage());
  const [device, setDevice] = useState<DeviceState>(initialDevice);
  const opened = useRef<Device | null>(null);
  // Bumped on every sign-in and sign-out, so a setup that finishes after a sign-out is discarded.
  const generation = useRef(0);
  const [recovery, setRecovery] = useState<Recovery>(null);
  // Held only while the member chooses between restoring and a new device (the key store needs it).
  const pendingPassword = useRef<string | null>(null);

  /** Locks and closes the key store: its key is forgotten until the next sign-in. */
  const forgetDevice = () => {
    generation.current++;
    opened.current?.store.close();
    opened.current = null;
    sessionStorage.removeItem(DEVICE_KEY);
    setDevice({ device: null, deviceId: null, settingUp: false, error: null });
    pendingPassword.current = null;
    setRecovery(null);
  };

  useEffect(() => onLanguageChange(setShownLanguage), []);

  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    api.onSignedOut = () => {
      forgetDevice();
      setSignedIn(false);
    };
    return () => removeEventListener('popstate', onPop);
  }, []);

  /** A choice in the top bar; signed in, it becomes the profile's language too (other devices). */
  const chooseLanguage = (l: string) => {
    setLanguage(l);
    if (api.signedIn) api.call('PATCH', '/api/v1/me', { preferredLanguage: l }).catch(() => {});
  };
  const go = (to: string) => {
    history.pushState(null, '', to);
    setPath(to);
  };
  // Right after signing in (or registering) the profile's language wins; on a reload of a signed-in
  // tab the language last chosen on this device does (a choice also updates the profile).
  const adoptProfileLanguage = useRef(false);
  const onProfileLanguage = (l: string) => {
    if (adoptProfileLanguage.current) setLanguage(l);
    adoptProfileLanguage.current = false;
  };
  /** Keeps a set-up (or restored) device unless a sign-out happened meanwhile. */
  const adoptDevice = (mine: number, d: Device) => {
    if (mine !== generation.current) {
      d.store.close();
      return;
    }
    opened.current = d;
    sessionStorage.setItem(DEVICE_KEY, d.deviceId);
    setDevice({ device: d, deviceId: d.deviceId, settingUp: false, error: null });
  };
  /** Opens the key store with the password and binds this session to its device. */
  const openDevice = (password: string): Promise<void> => {
    const mine = generation.current;
    // After a reload only the refresh token is held: get an access token (the session id) first.
    return api
      .freshAccessToken()
      .then(() => loadSignedIn())
      .then((m) => m.setUpDevice(api, password))
      .then((d) => adoptDevice(mine, d));
  };
  const setUp = (mine: number, password: string) => {
    setDevice({ device: null, deviceId: null, settingUp: true, error: null });
    openDevice(password).catch(
      (error) => mine === generation.current && setDevice({ device: null, deviceId: null, settingUp: false, error }),
    );
  };
  /** `registered`: a new account from an invitation, whose recovery code is shown once set up. */
  const onSignedIn = (password: string, registered = false) => {
    adoptProfileLanguage.current = true;
    forgetDevice();
    setDevice({ device: null, deviceId: null, settingUp: true, error: null });
    setSignedIn(true);
    go('/');
    // The password is in hand only now.
    const mine = generation.current;
    if (registered) {
      setRecovery({ kind: 'code' });
      setUp(mine, password);
      return;
    }
    // A browser without keys for this member: offer the key backup before making a new device.
    loadSignedIn().then((m) => m.restorableBackup(api)).then(
      (backup) => {
        if (mine !== generation.current) return;
        if (backup === null) return setUp(mine, password);
        pendingPassword.current = password;
        setDevice({ device: null, deviceId: null, settingUp: false, error: null });
        setRecovery({ kind: 'restore', backup });
      },
      // The backup could not be looked up (offline, server error): set up as before rather than block.
      () => mine === generation.current && setUp(mine, password),
    );
  };
  const restore = async (backup: SealedBackup, code: string) => {
    const mine = generation.current;
    const restored = await (await loadSignedIn()).restoreDevice(api, pendingPassword.current ?? '', code, backup);
    adoptDevice(mine, restored);
    pendingPassword.current = null;
    return restored;
  };
  const newDeviceInstead = () => {
    const password = pendingPassword.current ?? '';
    pendingPassword.current = null;
    setRecovery({ kind: 'code' });
    setUp(generation.current, password);
  };
  /** Forgets the store's key but stays signed in: the Unlock screen asks for the password. */
  const lock = () => {
    const deviceId = opened.current?.deviceId ?? device.deviceId;
    forgetDevice();
    if (deviceId) sessionStorage.setItem(DEVICE_KEY, deviceId);
    setDevice({ device: null, deviceId, settingUp: false, error: null });
  };

  // Lock after a while without any input.
  const lastActivity = useRef(Date.now());
  useEffect(() => {
    const touch = () => (lastActivity.current = Date.now());
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
    events.forEach((e) => addEventListener(e, touch, { passive: true }));
    const idle = lockAfterMs();
    const timer = setInterval(() => {
      if (opened.current && Date.now() - lastActivity.current > idle) lock();
    }, Math.min(30_000, idle / 2));
    return () => {
      events.forEach((e) => removeEventListener(e, touch));
      clearInterval(timer);
    };
  }, []);

  let page;
  if (path.startsWith('/invite/')) {
    page = <Invite api={api} code={decodeURIComponent(path.slice(8))} onSignedIn={(p) => onSignedIn(p, true)} />;
  } else if (path.startsWith('/reset/')) {
    page = <ResetPassword api={api} code={decodeURIComponent(path.slice(7))} onSignedIn={(p) => onSignedIn(p)} />;
  } else if (!signedIn) {
    page = <Login api={api} onSignedIn={onSignedIn} />;
  } else if (m === null) {
    page = <p>{t('common.loading')}</p>;
  } else if (recovery?.kind === 'restore') {
    const backup = recovery.backup;
    const { Restore } = m;
    page = <Restore onRestore={(code) => restore(backup, code)} onNewDevice={newDeviceInstead} onDone={() => setRecovery(null)} />;
  } else if (recovery?.kind === 'code') {
    const { RecoveryCode } = m;
    page = <RecoveryCode api={api} device={device.device} setupError={device.error} onDone={() => setRecovery(null)} />;
  } else if (!device.device && !device.settingUp && (!device.error || (device.error as Error).name === 'WrongPassword')) {
    const { Unlock } = m;
    page = <Unlock unlock={openDevice} />;
  } else {
    const { Workspace } = m;
    page = (
      <Workspace
        api={api}
        device={device.device}
        deviceState={device}
        path={path}
        go={go}
        onProfileLanguage={onProfileLanguage}
      />
    );
  }

  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <span class="tagline">{t('app.tagline')}</span>
        <label class="inline language">
          <span class="visually-hidden">{t('nav.language')}</span>
          <select value={language} onChange={(e) => chooseLanguage(e.currentTarget.value)}>
            {LANGUAGES.map((l) => (
              <option value={l} lang={l}>{t(`language.${l}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        {signedIn && device.device && !path.startsWith('/invite/') && (
          <button class="link" onClick={lock}>
            {t('nav.lock')}
          </button>
        )}
        {signedIn && !path.startsWith('/invite/') && (
          <button
            class="link"
            onClick={() => {
              forgetDevice();
              api.logout().finally(() => go('/login'));
            }}
          >
            {t('nav.signOut')}
          </button>
        )}
      </header>
      <main>{page}</main>
    </div>
  );
}
