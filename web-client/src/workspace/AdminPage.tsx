import { useEffect } from 'preact/hooks';
import type { Api } from '../api';
import { AdminSection } from '../admin/AdminSection';
import { t } from '../i18n';
import { CoordinatorPanel } from '../pages/CoordinatorPanel';
import type { DeviceState } from '../pages/DevicePanel';
import { ErrorText } from '../pages/ErrorText';
import { useProfile } from '../pages/useProfile';

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
  const { me, cities, organisations, error, reload } = useProfile(api);
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
