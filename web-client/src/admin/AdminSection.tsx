import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { t, type MessageKey } from '../i18n';
import type { City, Organisation, User } from '../model';
import { AuditView } from './AuditView';
import { CitiesView } from './CitiesView';
import { InvitationsView } from './InvitationsView';
import type { LinkStore } from './inviteLinks';
import { MembersView } from './MembersView';
import { NetworkKeyView } from './NetworkKeyView';
import { OrganisationsView } from './OrganisationsView';

export const ADMIN_VIEWS = ['cities', 'organisations', 'invitations', 'members', 'audit', 'network-key'] as const;
/** Views only network admins see. */
const NETWORK_ADMIN_VIEWS: readonly AdminView[] = ['network-key'];
export type AdminView = (typeof ADMIN_VIEWS)[number];

interface Props {
  api: Api;
  me: User;
  cities: City[];
  organisations: Organisation[];
  reload: () => Promise<unknown>;
  /** This device's key store, where invitation links are kept; null until the device is set up. */
  store: LinkStore | null;
  initial?: AdminView;
  /** Moves when coordinator-key requests changed (the network key view reads them again). */
  coordinatorKeys?: number;
}

/** What coordinators and network admins manage, one view at a time behind its own navigation. */
export function AdminSection({ api, me, cities, organisations, reload, store, initial = 'invitations', coordinatorKeys = 0 }: Props) {
  const [view, setView] = useState<AdminView>(initial);
  const isAdmin = me.role === 'network-admin';
  const manageable = isAdmin ? cities : cities.filter((c) => c.id === me.cityId);
  const [cityId, setCityId] = useState(manageable[0]?.id ?? '');
  useEffect(() => {
    if (!cityId && manageable.length > 0) setCityId(manageable[0].id);
  }, [manageable.length]);

  let content;
  switch (view) {
    case 'cities':
      content = <CitiesView api={api} cities={isAdmin ? cities : manageable} canAdd={isAdmin} reload={reload} />;
      break;
    case 'organisations':
      content = (
        <OrganisationsView api={api} cities={manageable} organisations={organisations} cityId={cityId} setCityId={setCityId} reload={reload} />
      );
      break;
    case 'invitations':
      content = (
        <InvitationsView api={api} me={me} cities={manageable} organisations={organisations} cityId={cityId} setCityId={setCityId} store={store} />
      );
      break;
    case 'members':
      content = <MembersView api={api} me={me} cities={cities} organisations={organisations} />;
      break;
    case 'audit':
      content = <AuditView api={api} me={me} />;
      break;
    case 'network-key':
      content = <NetworkKeyView api={api} store={store} revision={coordinatorKeys} />;
      break;
  }

  return (
    <div class="admin">
      <h1 class="admin-title">{t('admin.title')}</h1>
      <nav class="admin-nav" aria-label={t('admin.nav')}>
        <ul>
          {ADMIN_VIEWS.filter((v) => isAdmin || !NETWORK_ADMIN_VIEWS.includes(v)).map((v) => (
            <li key={v}>
              <button
                type="button"
                class={v === view ? 'tab current' : 'tab'}
                aria-current={v === view ? 'page' : undefined}
                onClick={() => setView(v)}
              >
                {t(`admin.tab.${v}` as MessageKey)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {content}
    </div>
  );
}
