import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import type { Api } from '../api';
import { ChannelEngine } from '../channels/engine';
import { installBenchHook } from '../documents/benchHook';
import { ChannelList } from '../channels/ChannelList';
import { ChannelView } from '../channels/ChannelView';
import { NewChannel } from '../channels/NewChannel';
import { type Device, type DeviceRecord, listDevices } from '../device/setup';
import { formatNumber, t } from '../i18n';
import type { Items, User } from '../model';
import type { DeviceState } from '../pages/DevicePanel';
import { Home } from '../pages/Home';
import { unknownMembersKey } from './directory';

/**
 * What a signed-in member with an open key store sees: the channel list beside either a channel,
 * the new-channel form, or (at `/`) their profile and this device. Owns the channel engine for
 * as long as the key store is open.
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
    if (path === '/') setSeenConfirmations(confirmations);
  }, [path, confirmations]);
  // Unread messages in the tab's title, so a member working elsewhere sees them.
  const unread = channels.reduce((n, c) => n + c.unread, 0);
  useEffect(() => {
    document.title = unread > 0 ? `(${formatNumber(unread)}) ${t('app.name')}` : t('app.name');
  }, [unread]);
  const channelId = path.startsWith('/c/') ? decodeURIComponent(path.slice(3)) : null;
  const view = channelId && engine ? engine.channel(channelId) : null;

  let content;
  if (path === '/new' && engine) {
    content = confirmed ? (
      <NewChannel engine={engine} go={go} />
    ) : (
      <section class="card">
        <p role="status">{thisDevice ? t('device.awaitingHelp') : t('common.loading')}</p>
      </section>
    );
  } else if (view && engine) {
    content = <ChannelView
        engine={engine}
        view={view}
        users={users}
        reloadUsers={readDirectory}
        go={go}
        documents={engine.documents}
      />;
  } else {
    content = (
      <Home
        api={api}
        device={deviceState}
        onProfileLanguage={onProfileLanguage}
        confirmations={confirmations}
        deviceRevision={deviceRevision}
        coordinatorKeys={engine?.coordinatorKeyRevision ?? 0}
      />
    );
  }

  return (
    <>
      <a class="skip-link" href="#content">
        {t('nav.skipToContent')}
      </a>
      <ConnectionBanner engine={engine} startError={startError} />
      {confirmations > seenConfirmations && path !== '/' && (
        <p class="banner" role="status">
          {t('coord.confirmationsNeeded')}{' '}
          <button type="button" class="link" onClick={() => go('/')}>
            {t('coord.showPending')}
          </button>
        </p>
      )}
      <div class="workspace">
        {engine ? (
          <ChannelList
            channels={channels}
            selected={channelId}
            atProfile={!view && path !== '/new'}
            canCreate={confirmed}
            go={go}
          />
        ) : (
          <nav class="channel-list" aria-label={t('channels.title')}>
            <p class="muted">{deviceState.settingUp ? t('device.settingUp') : t('channels.deviceNotReady')}</p>
          </nav>
        )}
        <div class="pane" id="content">
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
