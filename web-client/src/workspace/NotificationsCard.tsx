import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { readNotificationSettings, saveNotificationSettings, type NotificationSettings } from './notifications';

/**
 * Profile: opt in to a browser notification when a message arrives while Liaison is in a hidden
 * tab; message content (sender and text) only if also chosen. Kept on this device only.
 */
export function NotificationsCard() {
  const supported = typeof Notification !== 'undefined';
  const [settings, setSettings] = useState<NotificationSettings>(readNotificationSettings);
  const [permission, setPermission] = useState<string>(supported ? Notification.permission : 'denied');
  const update = (s: NotificationSettings) => {
    setSettings(s);
    saveNotificationSettings(s);
  };
  const enable = async (on: boolean) => {
    if (!on) return update({ ...settings, enabled: false });
    const answer = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    setPermission(answer);
    update({ ...settings, enabled: answer === 'granted' });
  };
  return (
    <section class="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">{t('notify.title')}</h2>
      {!supported ? (
        <p class="muted">{t('notify.unsupported')}</p>
      ) : (
        <>
          <label class="check">
            <input type="checkbox" checked={settings.enabled} onChange={(e) => void enable(e.currentTarget.checked)} />
            {t('notify.enable')}
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={settings.showContent}
              disabled={!settings.enabled}
              onChange={(e) => update({ ...settings, showContent: e.currentTarget.checked })}
            />
            {t('notify.showContent')}
          </label>
          <p class="small muted">{t('notify.explain')}</p>
          {permission === 'denied' && <p class="small error">{t('notify.blocked')}</p>}
        </>
      )}
    </section>
  );
}

/**
 * Shows one notification; a click brings the tab forward and opens the channel. Where pages may
 * not construct notifications (Chrome on Android), the service worker shows it, and its click
 * handler focuses the tab and posts the path back (see `onNotificationOpen`).
 */
export function showNotification(n: { title: string; body: string; tag: string; path: string }, onClick: () => void) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const shown = new Notification(n.title, { body: n.body || undefined, tag: n.tag });
    shown.onclick = () => {
      window.focus();
      onClick();
      shown.close();
    };
  } catch {
    navigator.serviceWorker?.ready
      .then((r) => r.showNotification(n.title, { body: n.body || undefined, tag: n.tag, data: { path: n.path } }))
      .catch(() => {});
  }
}

/** Paths the service worker asks to open after a click on one of its notifications. */
export function onNotificationOpen(open: (path: string) => void): () => void {
  const sw = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
  if (!sw) return () => {};
  const listener = (e: MessageEvent) => {
    const path = (e.data as { type?: string; path?: unknown } | null)?.path;
    if ((e.data as { type?: string })?.type === 'open' && typeof path === 'string' && path.startsWith('/c/')) open(path);
  };
  sw.addEventListener('message', listener);
  return () => sw.removeEventListener('message', listener);
}
