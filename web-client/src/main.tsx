import { render } from 'preact';
import { App } from './app';
import { initialLanguage, setLanguage } from './i18n';
import './styles.css';

// The device's or browser's language until a profile says otherwise; not stored, so a later
// browser setting still counts until the person picks a language themselves.
setLanguage(initialLanguage(), null);
render(<App />, document.getElementById('app')!);
