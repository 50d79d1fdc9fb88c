import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DocumentsService } from '../documents/model';
import type { DocumentsPanel as Panel } from '../documents/ui/DocumentsPanel';
import { formatDay, formatTime, t, tf } from '../i18n';
import type { User } from '../model';
import { Avatar } from '../workspace/Avatar';
import { NO_PLACES, placeOf, type Places } from '../workspace/people';
import type { ChannelEngine } from './engine';
import type { ChannelView as View, ChatMessage } from './model';
import { Members } from './Members';
import { MAX_BODY } from './payload';
import { PolicyBadge } from './PolicyBadge';
import { humanError, isolatedNames, linkify } from './text';

const PAGE = 50;

/** One channel: header with its policy, the conversation, the composer, and its members. */
export function ChannelView({
  engine,
  view,
  users,
  places = NO_PLACES,
  reloadUsers,
  go,
  documents,
  initialTab = 'messages',
}: {
  engine: ChannelEngine;
  view: View;
  users: Map<string, User>;
  /** Cities and organisations, to show people as "Name · Organisation, City". */
  places?: Places;
  /** The tab shown first (`/c/<id>/documents` opens the documents). */
  initialTab?: 'messages' | 'documents';
  /** Reads the directory again (who waits for a device confirmation changes meanwhile). */
  reloadUsers?: () => void;
  go: (path: string) => void;
  /** The channel's shared documents; without it the channel shows only its conversation. */
  documents?: DocumentsService;
}) {
  const [tab, setTab] = useState<'messages' | 'documents'>(initialTab);
  const [shown, setShown] = useState(PAGE);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const name = (userId: string) => users.get(userId)?.displayName ?? t('chat.unknownMember');

  useEffect(() => {
    setShown(PAGE);
    setDraft('');
    setError(null);
  }, [view.id]);

  // Follow new messages when the reader is at the bottom; mark what is shown as read.
  useEffect(() => {
    const el = list.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
    if (document.visibilityState === 'visible') void engine.markRead(view.id);
  }, [view.messages.length, view.id]);

  const send = async () => {
    const text = draft.replace(/\s+$/, '');
    if (text.trim() === '') return;
    if (text.length > MAX_BODY) return setError(tf('chat.tooLong', { count: MAX_BODY }));
    setError(null);
    try {
      await engine.send(view.id, text);
      setDraft('');
      atBottom.current = true;
    } catch (e) {
      setError(humanError(e, name));
    }
  };

  const messages = view.messages.slice(Math.max(0, view.messages.length - shown));
  // Withdrawn attestations say so (the member needs a coordinator); other failures one sentence.
  const withdrawn = view.untrusted.filter((m) => m.problem === 'attestation-revoked');
  const otherwise = view.untrusted.filter((m) => m.problem !== 'attestation-revoked');
  const canSend = view.joined && !view.removed && view.untrusted.length === 0;
  const memberCount = new Set(view.members.map((m) => m.userId)).size;

  return (
    <div class="channel">
      <header class="channel-head">
        <div>
          <h1><span dir="auto">{view.meta?.name || t('channels.untitled')}</span></h1>
          {view.meta?.description && <p class="muted" dir="auto">{view.meta.description}</p>}
          <PolicyBadge policy={view.policy} />
        </div>
        <button type="button" class="secondary" aria-expanded={showMembers} onClick={() => setShowMembers(!showMembers)}>
          {tf('members.show', { count: memberCount })}
        </button>
      </header>
      {!view.joined && !view.removed && <p class="notice">{t('chat.notJoined')}</p>}
      {view.removed && <p class="notice">{t('chat.removed')}</p>}
      {view.leaving && !view.removed && <p class="notice">{t('chat.leaving')}</p>}
      {withdrawn.length > 0 && (
        <p class="error" role="alert">
          {tf('chat.untrustedRevoked', { names: isolatedNames(withdrawn.map((m) => name(m.userId))) })}
        </p>
      )}
      {otherwise.length > 0 && (
        <p class="error" role="alert">
          {tf('chat.untrusted', { names: isolatedNames(otherwise.map((m) => name(m.userId))) })}
        </p>
      )}
      {documents && (
        <div
          class="tabs"
          role="tablist"
          aria-label={t('docs.channelViews')}
          onKeyDown={(e) => {
            // Two tabs: any arrow key moves to the other one (the ARIA tabs pattern).
            if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
            e.preventDefault();
            const next = e.key === 'Home' ? 'messages' : e.key === 'End' ? 'documents' : tab === 'messages' ? 'documents' : 'messages';
            setTab(next);
            (e.currentTarget.querySelector(`#tab-${next}`) as HTMLElement | null)?.focus();
          }}
        >
          <button
            type="button"
            role="tab"
            id="tab-messages"
            aria-selected={tab === 'messages'}
            tabIndex={tab === 'messages' ? 0 : -1}
            aria-controls={tab === 'messages' ? 'panel-messages' : undefined}
            onClick={() => setTab('messages')}
          >
            {t('chat.messages')}
          </button>
          <button
            type="button"
            role="tab"
            id="tab-documents"
            aria-selected={tab === 'documents'}
            tabIndex={tab === 'documents' ? 0 : -1}
            aria-controls={tab === 'documents' ? 'panel-documents' : undefined}
            onClick={() => setTab('documents')}
          >
            {t('docs.title')}
          </button>
        </div>
      )}
      {documents && tab === 'documents' ? (
        <div role="tabpanel" id="panel-documents" aria-labelledby="tab-documents">
          <LazyDocuments
            key={view.id}
            service={documents}
            channelId={view.id}
            users={users}
            me={{ userId: engine.userId, name: users.get(engine.userId)?.displayName ?? t('chat.you') }}
          />
        </div>
      ) : (
        <div class="channel-body" {...(documents ? { role: 'tabpanel', id: 'panel-messages', 'aria-labelledby': 'tab-messages' } : {})}>
          <section class="conversation" aria-label={t('chat.messages')}>
            {view.messages.length > shown && (
              <button type="button" class="link" onClick={() => setShown(shown + PAGE)}>
                {t('chat.loadOlder')}
              </button>
            )}
            {view.messages.length === 0 && <p class="muted">{t('chat.empty')}</p>}
            <ol
              class="messages"
              ref={list}
              onScroll={(e) => {
                const el = e.currentTarget;
                atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
              }}
            >
              {messages.map((m, i) => (
                <MessageItem
                  key={m.clientMessageId ?? m.seq}
                  message={m}
                  previous={messages[i - 1]}
                  mine={m.senderDeviceId === engine.deviceId || m.senderUserId === engine.userId}
                  name={name}
                  place={(id) => placeOf(users.get(id), places)}
                  onRetry={() => m.clientMessageId && engine.retry(view.id, m.clientMessageId)}
                />
              ))}
            </ol>
            <form
              class="composer"
              onSubmit={(e) => {
                e.preventDefault();
                void send();
              }}
            >
              <label for="composer-text" class="visually-hidden">
                {t('chat.compose')}
              </label>
              <textarea
                id="composer-text"
                dir="auto"
                value={draft}
                rows={2}
                disabled={!canSend}
                placeholder={t('chat.compose')}
                aria-describedby="composer-hint"
                onInput={(e) => setDraft(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                    e.preventDefault();
                    void send();
                  }
                }}
              />
              <button type="submit" disabled={!canSend || draft.trim() === ''}>
                {t('chat.send')}
              </button>
              <p id="composer-hint" class="muted small">
                {t('chat.hint')}
              </p>
              {error && (
                <p class="error" role="alert">
                  {error}
                </p>
              )}
            </form>
          </section>
          {showMembers && <Members engine={engine} view={view} users={users} places={places} reloadUsers={reloadUsers} go={go} onClose={() => setShowMembers(false)} />}
        </div>
      )}
    </div>
  );
}

/** The documents UI (and Automerge's JavaScript) loads only when someone opens the tab. */
function LazyDocuments(props: Parameters<typeof Panel>[0]) {
  const [Loaded, setLoaded] = useState<ComponentType<Parameters<typeof Panel>[0]> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('../documents/ui/DocumentsPanel').then(
      (m) => setLoaded(() => m.DocumentsPanel),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p class="error">{t('docs.listFailed')}</p>;
  return Loaded ? <Loaded {...props} /> : <p class="muted">{t('common.loading')}</p>;
}

function MessageItem({
  message: m,
  previous,
  mine,
  name,
  place,
  onRetry,
}: {
  message: ChatMessage;
  previous?: ChatMessage;
  mine: boolean;
  name: (userId: string) => string;
  place: (userId: string) => string;
  onRetry: () => void;
}) {
  const day = formatDay(m.receivedAt);
  const newDay = !previous || formatDay(previous.receivedAt) !== day;
  return (
    <>
      {newDay && (
        <li class="day">
          <span>{day}</span>
        </li>
      )}
      <li class={mine ? 'message mine' : 'message'} data-seq={m.seq}>
        {!mine && <Avatar id={m.senderUserId} name={name(m.senderUserId)} size="small" />}
        <div class="message-content">
        <div class="message-meta">
          <span class="sender" dir="auto">{mine ? t('chat.you') : name(m.senderUserId)}</span>
          {!mine && place(m.senderUserId) && (
            <span class="sender-place">
              <bdi>{place(m.senderUserId)}</bdi>
            </span>
          )}
          <time dateTime={m.receivedAt}>{formatTime(m.receivedAt)}</time>
          {m.restored && (
            <span class="delivery" title={t('chat.restoredTitle')}>
              {t('chat.restored')}
            </span>
          )}
          {mine && !m.restored && <DeliveryState message={m} onRetry={onRetry} />}
        </div>
        {m.state === 'undecryptable' ? (
          <p class="muted">{t('chat.undecryptable')}</p>
        ) : (
          <p class="body" dir="auto">
            {linkify(m.body).map((part) =>
              part.kind === 'link' ? (
                <a href={part.href} target="_blank" rel="noopener noreferrer nofollow">
                  {part.text}
                </a>
              ) : (
                part.text
              ),
            )}
          </p>
        )}
        </div>
      </li>
    </>
  );
}

function DeliveryState({ message, onRetry }: { message: ChatMessage; onRetry: () => void }) {
  if (message.state === 'sending') return <span class="delivery">{t('chat.sending')}</span>;
  if (message.state === 'queued') return <span class="delivery">{t('chat.queued')}</span>;
  if (message.state === 'failed') {
    return (
      <span class="delivery failed">
        {t('chat.failed')}{' '}
        <button type="button" class="link" onClick={onRetry}>
          {t('chat.retry')}
        </button>
      </span>
    );
  }
  return <span class="delivery">{t('chat.sent')}</span>;
}
