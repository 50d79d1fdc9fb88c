import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { AdminSection } from '../admin/AdminSection';
import { t } from '../i18n';
import type { City, Items, Organisation, User } from '../model';
import { CoordinatorPanel } from '../pages/CoordinatorPanel';
import type { DeviceState } from '../pages/DevicePanel';
import { ErrorText } from '../pages/ErrorText';

/** Administration, for coordinators and admins: confirming devices, then what they manage. */
export function AdminPage({
  api,
  device,
  confirmations,
  newDevice = false,
  coordinatorKeys,
}: {
  api: Api;
  device: DeviceState;
  confirmations: number;
  /** The latest `confirmations-needed` was about a new device. */
  newDevice?: boolean;
  /** Moves when coordinator-key requests changed (own, or the admins' queue). */
  coordinatorKeys: number;
}) {
  const [me, setMe] = useState<User | null>(null);
  const [cities, setCities] = useState<City[]>([]);
  const [organisations, setOrganisations] = useState<Organisation[]>([]);
  const [error, setError] = useState<unknown>(null);
  const reload = () =>
    Promise.all([
      api.call<User>('GET', '/api/v1/me'),
      api.call<Items<City>>('GET', '/api/v1/cities'),
      api.call<Items<Organisation>>('GET', '/api/v1/organisations'),
    ])
      .then(([user, c, o]) => {
        setMe(user);
        setCities(c.items);
        setOrganisations(o.items);
      })
      .catch(setError);
  useEffect(() => {
    void reload();
  }, []);
  if (me === null) return error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  if (me.role === 'member') return <p class="card">{t('nav.adminOnly')}</p>;
  return (
    <>
      <CoordinatorPanel api={api} device={device.device} me={me} confirmations={confirmations} newDevice={newDevice} keyRevision={coordinatorKeys} />
      <AdminSection api={api} me={me} cities={cities} organisations={organisations} reload={reload} store={device.device?.store ?? null} coordinatorKeys={coordinatorKeys} />
    </>
  );
}
