import { t } from '../i18n';
import { Icon } from './icons';

/** A place held for broadcasts from coordinators (the next issue); says so plainly. */
export function Announcements() {
  return (
    <section class="card empty-state" aria-labelledby="announcements-title">
      <Icon name="announcements" size={40} />
      <h1 id="announcements-title">{t('announcements.title')}</h1>
      <p class="muted">{t('announcements.placeholder')}</p>
    </section>
  );
}
