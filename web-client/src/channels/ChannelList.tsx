import { tf, t, type MessageKey } from '../i18n';
import type { ChannelView } from './model';

/** The conversations: every channel with its unread count, newest activity first. */
export function ChannelList({
  channels,
  selected,
  canCreate,
  go,
}: {
  channels: ChannelView[];
  selected: string | null;
  /** Only a confirmed device can make a channel (the server refuses key packages before that). */
  canCreate: boolean;
  go: (path: string) => void;
}) {
  return (
    <nav class="channel-list" aria-labelledby="channels-heading">
      <div class="channel-list-head">
        <h2 id="channels-heading">{t('channels.title')}</h2>
        {canCreate && (
          <a
            class="button small"
            href="/new"
            onClick={(e) => {
              e.preventDefault();
              go('/new');
            }}
          >
            {t('channels.new')}
          </a>
        )}
      </div>
      {channels.length === 0 && <p class="muted">{t('channels.none')}</p>}
      <ul>
        {channels.map((c) => {
          const name = c.meta?.name || t('channels.untitled');
          return (
            <li key={c.id}>
              <a
                href={`/c/${c.id}`}
                class={c.id === selected ? 'channel-link current' : 'channel-link'}
                aria-current={c.id === selected ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go(`/c/${c.id}`);
                }}
              >
                <span class="channel-icon" aria-hidden="true">{kindMark(c.kind)}</span>
                <span class="channel-name" dir="auto">{name}</span>
                <span class="channel-kind">{t(`kind.${c.kind}` as MessageKey)}</span>
                {c.unread > 0 && <span class="unread">{tf('channels.unread', { count: c.unread })}</span>}
                {!c.joined && !c.removed && <span class="muted small">{t('channels.waiting')}</span>}
                {c.removed && <span class="muted small">{t('channels.removed')}</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** A one-letter mark per kind, beside the kind in words (decoration only). */
function kindMark(kind: string): string {
  return kind === 'case' ? '#' : kind === 'team' ? '◇' : kind === 'exchange' ? '⇄' : '◎';
}
