import { formatNumber, t, type MessageKey } from '../i18n';
import { Icon, type IconName } from './icons';

export type Section = 'conversations' | 'documents' | 'announcements' | 'people' | 'admin' | 'profile';

/** Which part of the workspace a path belongs to. */
export function sectionOf(path: string): Section {
  if (path === '/c' || path.startsWith('/c/') || path === '/new') return 'conversations';
  if (path === '/documents') return 'documents';
  if (path === '/announcements') return 'announcements';
  if (path === '/people') return 'people';
  if (path === '/admin') return 'admin';
  return 'profile';
}

const ITEMS: { section: Section; to: string; icon: IconName; label: MessageKey; short: MessageKey }[] = [
  { section: 'conversations', to: '/c', icon: 'conversations', label: 'nav.conversations', short: 'nav.short.conversations' },
  { section: 'documents', to: '/documents', icon: 'documents', label: 'nav.documents', short: 'nav.short.documents' },
  { section: 'announcements', to: '/announcements', icon: 'announcements', label: 'nav.announcements', short: 'nav.short.announcements' },
  { section: 'people', to: '/people', icon: 'people', label: 'nav.people', short: 'nav.short.people' },
  { section: 'admin', to: '/admin', icon: 'admin', label: 'nav.admin', short: 'nav.short.admin' },
  { section: 'profile', to: '/', icon: 'profile', label: 'nav.profile', short: 'nav.short.profile' },
];

/**
 * The main navigation: a rail beside the workspace, a bar at the bottom on narrow screens.
 * Administration only for coordinators and admins; unread messages counted on Conversations.
 * Its icons are drawn in icons.tsx.
 */
export function Nav({ section, showAdmin, unread, go }: { section: Section; showAdmin: boolean; unread: number; go: (to: string) => void }) {
  return (
    <nav class="rail" aria-label={t('nav.main')}>
      <ul>
        {ITEMS.filter((i) => i.section !== 'admin' || showAdmin).map((i) => (
          <li key={i.section}>
            <a
              href={i.to}
              class={i.section === section ? 'rail-link current' : 'rail-link'}
              aria-current={i.section === section ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                go(i.to);
              }}
            >
              <Icon name={i.icon} />
              {/* The bottom bar of a phone shows a short word; the full one stays the link's name. */}
              <span class="rail-label">{t(i.label)}</span>
              <span class="rail-short" aria-hidden="true">
                {t(i.short)}
              </span>
              {i.section === 'conversations' && unread > 0 && (
                <span class="rail-count">
                  {formatNumber(unread)}
                  <span class="visually-hidden"> {t('nav.unreadSuffix')}</span>
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
