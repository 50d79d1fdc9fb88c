import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { Api } from '../api';
import { ChannelEngine } from '../channels/engine';
import { installBenchHook } from '../documents/benchHook';
import { ChannelList } from '../channels/ChannelList';
import { ChannelView } from '../channels/ChannelView';
import { NewChannel } from '../channels/NewChannel';
import { type Device, type DeviceRecord, listDevices } from '../device/setup';
import { formatNumber, t, tf } from '../i18n';
import type { City, Items, Organisation, User } from '../model';
import type { DeviceState } from '../pages/DevicePanel';
import { Home } from '../pages/Home';
import { AdminPage } from './AdminPage';
import { Announcements } from './Announcements';
import { unknownMembersKey } from './directory';
import { DocumentsOverview } from './DocumentsOverview';
import { Icon } from './icons';
import { Nav, sectionOf } from './Nav';
import { newArrivals, notificationFor, readNotificationSettings } from './notifications';
import { NotificationsCard, onNotificationOpen, showNotification } from './NotificationsCard';
import { PeopleView } from './PeopleView';
import type { Places } from './people';

/**
 * What a signed-in member with an open key store sees: the main navigation (a rail, a bottom bar
 * on narrow screens), the channel list, and one of: a channel (`/c/<id>`, its documents at
 * `/c/<id>/documents`), the new-channel form (`/new`), documents across channels (`/documents`),
 * announcements, people (`/people`), administration (`/admin`) or, at `/`, their profile and
 * this device. On narrow screens the channel list is a view of its own (`/c`). Owns the channel
 * engine for as long as the key store is open.
 */
export function Workspace({
  api,
  device,
  deviceState,
  path,
  go,
  onProfileLanguage,
}: {
  api: Api;
  device: Device | null;
  deviceState: DeviceState;
  path: string;
  go: (to: string) => void;
  onProfileLanguage: (language: string) => void;
}) {
  const [engine, setEngine] = useState<ChannelEngine | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [users, setUsers] = useState<Map<string, User>>(new Map());
  const [startError, setStartError] = useState<unknown>(null);
  const directoryRead = useRef(false);
  const [seenConfirmations, setSeenConfirmations] = useState(0);
  const [thisDevice, setThisDevice] = useState<DeviceRecord | null>(null);
  const [me, setMe] = useState<User | null>(null);
  const [places, setPlaces] = useState<Places>({ cities: new Map(), organisations: new Map() });

  // Who I am (the navigation offers administration to coordinators and admins), and the cities
  // and organisations that people are shown with.
  useEffect(() => {
    api.call<User>('GET', '/api/v1/me').then(setMe, () => {});
    Promise.all([api.call<Items<City>>('GET', '/api/v1/cities'), api.call<Items<Organisation>>('GET', '/api/v1/organisations')]).then(
      ([c, o]) => setPlaces({ cities: new Map(c.items.map((x) => [x.id, x])), organisations: new Map(o.items.map((x) => [x.id, x])) }),
      () => {},
    );
  }, []);

  useEffect(() => {
    if (!device) return;
    const e = new ChannelEngine(api, device);
    const off = e.subscribe(() => rerender(0));
    installBenchHook(e, api);
    setEngine(e);
    setStartError(null);
    e.start().catch(setStartError);
    // Keep key packages topped up (others claim them to add this device).
    const topUp = setInterval(() => e.topUpKeyPackages().catch(() => {}), 60_000);
    return () => {
      off();
      clearInterval(topUp);
      e.stop();
      setEngine(null);
    };
  }, [device]);

  // This device's status, read again when the server says it changed (a coordinator confirmed it):
  // what a confirmed device may do appears without a reload.
  const deviceRevision = engine?.deviceRevision ?? 0;
  useEffect(() => {
    if (!device) return;
    let live = true;
    listDevices(api)
      .then((all) => live && setThisDevice(all.find((d) => d.id === device.deviceId) ?? null))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [device, deviceRevision]);
  const confirmed = thisDevice?.status === 'active';

  // The directory, for names and for adding members; read again when members were verified
  // again (e.g. the network key was set) and when members appear that it did not list.
  const readDirectory = () =>
    api
      .call<Items<User>>('GET', '/api/v1/users?limit=1000')
      .then((r) => {
        directoryRead.current = true;
        setUsers(new Map(r.items.map((u) => [u.id, u])));
      })
      .catch(() => {});
  useEffect(() => {
    void readDirectory();
  }, [engine, engine?.trustRevision, engine?.directoryRevision]);

  const channels = engine?.list() ?? [];
  const unknownKey = unknownMembersKey(channels, users);
  useEffect(() => {
    if (unknownKey !== '' && directoryRead.current) void readDirectory();
  }, [unknownKey]);

  // A coordinator hears that members' devices need confirming again; the profile page lists them.
  const confirmations = engine?.confirmationsNeeded.count ?? 0;
  useEffect(() => {
    if (path === '/admin') setSeenConfirmations(confirmations);
  }, [path, confirmations]);
  // Unread messages in the tab's title, so a member working elsewhere sees them.
  const unread = channels.reduce((n, c) => n + c.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${formatNumber(unread)}) ${t('app.name')}` : t('app.name');
  }, [unread]);
  // A notification for each new message of someone else while this tab is hidden (opt-in).
  const seenSeqs = useRef(new Map<string, number>());
  const openedAt = useRef(Date.now());
  const goRef = useRef(go);
  goRef.current = go;
  useEffect(() => {
    if (!engine) return;
    const arrived = newArrivals(seenSeqs.current, channels);
    if (arrived.length === 0) return;
    const settings = readNotificationSettings();
    const hidden = document.visibilityState === 'hidden';
    for (const { channelId: id, message } of arrived) {
      // Catching up on what came while signed out is not news.
      if (Date.parse(message.receivedAt) < openedAt.current) continue;
      const channel = channels.find((c) => c.id === id);
      const shown = notificationFor(
        {
          channelId: id,
          channelName: channel?.meta?.name || t('channels.untitled'),
          senderUserId: message.senderUserId,
          senderName: users.get(message.senderUserId)?.displayName ?? t('chat.unknownMember'),
          body: message.state === 'undecryptable' ? t('chat.undecryptable') : message.body,
        },
        { settings, hidden, myUserId: engine.userId, text: { newMessageIn: (name) => tf('notify.newMessageIn', { channel: name }) } },
      );
      const path = `/c/${encodeURIComponent(id)}`;
      if (shown) showNotification({ ...shown, path }, () => goRef.current(path));
    }
  });
  useEffect(() => onNotificationOpen((path) => goRef.current(path)), []);

  const [, channelPart, channelTab] = /^\/c\/([^/]+)(?:\/(documents))?$/.exec(path) ?? [];
  const channelId = channelPart ? decodeURIComponent(channelPart) : null;
  const view = channelId && engine ? engine.channel(channelId) : null;
  const section = sectionOf(path);
  const isCoordinator = me !== null && me.role !== 'member';

  let content;
  if (path === '/people') {
    content = <PeopleView users={users} places={places} myUserId={me?.id ?? null} />;
  } else if (path === '/announcements') {
    content = <Announcements />;
  } else if (path === '/documents') {
    content = engine ? <DocumentsOverview channels={channels} documents={engine.documents} go={go} /> : <p class="muted">{t('channels.deviceNotReady')}</p>;
  } else if (path === '/admin') {
    content = (
      <AdminPage
        api={api}
        device={deviceState}
        confirmations={confirmations}
        newDevice={engine?.confirmationsNeeded.newDevice}
        coordinatorKeys={engine?.coordinatorKeyRevision ?? 0}
      />
    );
  } else if (path === '/c') {
    content = (
      <section class="card empty-state choose-channel">
        <Icon name="conversations" size={40} />
        <p class="muted">{channels.length ? t('channels.choose') : t('channels.none')}</p>
      </section>
    );
  } else if (path === '/new' && engine) {
    content = confirmed ? (
      <NewChannel engine={engine} go={go} />
    ) : (
      <section class="card">
        <p role="status">{thisDevice ? t('device.awaitingHelp') : t('common.loading')}</p>
      </section>
    );
  } else if (view && engine) {
    content = <ChannelView
        key={`${view.id}/${channelTab ?? ''}`}
        engine={engine}
        view={view}
        users={users}
        places={places}
        reloadUsers={readDirectory}
        go={go}
        documents={engine.documents}
        initialTab={channelTab === 'documents' ? 'documents' : 'messages'}
      />;
  } else {
    content = (
      <>
        <Home
          api={api}
          device={deviceState}
          onProfileLanguage={onProfileLanguage}
          confirmations={confirmations}
          deviceRevision={deviceRevision}
          admin={false}
        />
        <NotificationsCard />
      </>
    );
  }

  return (
    <>
      <a class="skip-link" href="#content">
        {t('nav.skipToContent')}
      </a>
      <ConnectionBanner engine={engine} startError={startError} />
      {confirmations > seenConfirmations && path !== '/admin' && (
        <p class="banner" role="status">
          {t(engine?.confirmationsNeeded.newDevice ? 'coord.newDevice' : 'coord.confirmationsNeeded')}{' '}
          <button type="button" class="link" onClick={() => go('/admin')}>
            {t('coord.showPending')}
          </button>
        </p>
      )}
      <div class={`workspace section-${section}${path === '/c' ? ' list-only' : ''}`}>
        <Nav section={section} showAdmin={isCoordinator} unread={unread} go={go} />
        {engine ? (
          <ChannelList channels={channels} selected={channelId} canCreate={confirmed} go={go} />
        ) : (
          <nav class="channel-list" aria-label={t('channels.title')}>
            <p class="muted">{deviceState.settingUp ? t('device.settingUp') : t('channels.deviceNotReady')}</p>
          </nav>
        )}
        <div class="pane" id="content">
          {(view || path === '/new') && (
            <a
              class="back-link"
              href="/c"
              onClick={(e) => {
                e.preventDefault();
                go('/c');
              }}
            >
              <Icon name="back" size={20} />
              {t('nav.backToConversations')}
            </a>
          )}
          {content}
        </div>
      </div>
    </>
  );
}

function ConnectionBanner({ engine, startError }: { engine: ChannelEngine | null; startError: unknown }) {
  if (engine?.fatal === 'root-key-changed' || (startError as { code?: string })?.code === 'root-key-changed') {
    return (
      <p class="banner danger" role="alert">
        {t('conn.rootKeyChanged')}
      </p>
    );
  }
  if (!engine) return null;
  if (engine.status === 'ended') {
    return (
      <p class="banner" role="alert">
        {t('conn.ended')}
      </p>
    );
  }
  if (engine.status === 'offline') {
    return (
      <p class="banner" role="status">
        {t('conn.offline')}
      </p>
    );
  }
  return null;
}
