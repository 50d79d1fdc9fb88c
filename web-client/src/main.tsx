import { render } from 'preact';
import { App } from './app';
import { initialLanguage, setLanguage } from './i18n';
import './styles.css';

// The device's or browser's language until a profile says otherwise; not stored, so a later
// browser setting still counts until the person picks a language themselves.
setLanguage(initialLanguage(), null);
render(<App />, document.getElementById('app')!);

// Installable app: the service worker keeps only the app shell, never /api/ answers (public/sw.js).
// Not in development, where Vite serves unhashed modules that must not be cached.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  });
}
