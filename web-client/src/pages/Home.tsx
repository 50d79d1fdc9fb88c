import { useEffect, useRef } from 'preact/hooks';
import type { Api } from '../api';
import { t, type MessageKey } from '../i18n';
import { AdminSection } from '../admin/AdminSection';
import { CoordinatorPanel } from './CoordinatorPanel';
import { DevicePanel, type DeviceState } from './DevicePanel';
import { ErrorText } from './ErrorText';
import { ProfileCard } from './ProfileCard';
import { useProfile } from './useProfile';

/** `onProfileLanguage` gets the member's preferred language once, when the profile first loads. */
export function Home({
  api,
  device,
  onProfileLanguage,
  confirmations = 0,
  deviceRevision = 0,
  coordinatorKeys = 0,
  admin = true,
}: {
  api: Api;
  device: DeviceState;
  onProfileLanguage: (language: string) => void;
  /** Moves when the server says this member's devices changed status: the panel reads them again. */
  deviceRevision?: number;
  /** Moves when the server says members' devices need confirming again (coordinators). */
  confirmations?: number;
  /** Moves when the server says coordinator-key requests changed (own, or the admins' queue). */
  coordinatorKeys?: number;
  /** False where administration has a page of its own (the workspace's navigation). */
  admin?: boolean;
}) {
  const { me, setMe, cities, organisations, error, reload } = useProfile(api);

  useEffect(() => {
    reload().then((user) => {
      if (user?.preferredLanguage) onProfileLanguage(user.preferredLanguage);
    });
  }, []);
  // A device changed status: often because the member's tier or role changed; show the new one.
  const firstRevision = useRef(deviceRevision);
  useEffect(() => {
    if (deviceRevision !== firstRevision.current) void reload();
  }, [deviceRevision]);

  if (me === null) {
    return error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  }
  const city = cities.find((c) => c.id === me.cityId);
  const organisation = organisations.find((o) => o.id === me.organisationId);

  return (
    <>
      <section class="card">
        <h1>{t('profile.title')}</h1>
        <dl class="facts">
          <dt>{t('profile.name')}</dt>
          <dd><span dir="auto">{me.displayName}</span></dd>
          <dt>{t('profile.email')}</dt>
          <dd>{me.email}</dd>
          <dt>{t('profile.city')}</dt>
          <dd><span dir="auto">{city?.name ?? t('profile.none')}</span></dd>
          <dt>{t('profile.organisation')}</dt>
          <dd><span dir="auto">{organisation?.name ?? t('profile.none')}</span></dd>
          <dt>{t('profile.sector')}</dt>
          <dd>{t(`sector.${me.sector}` as MessageKey)}</dd>
          <dt>{t('profile.tier')}</dt>
          <dd><span class="badge">{t(`tier.${me.tier}` as MessageKey)}</span></dd>
          <dt>{t('profile.role')}</dt>
          <dd>{t(`role.${me.role}` as MessageKey)}</dd>
        </dl>
      </section>
      <ProfileCard
        api={api}
        me={me}
        store={device.device?.store ?? null}
        onChanged={setMe}
        // The account is gone and every session ended: signing out forgets this tab's tokens.
        onDeleted={() => void api.logout().finally(() => location.assign('/login'))}
      />
      <DevicePanel api={api} state={device} revision={deviceRevision} />
      {admin && me.role !== 'member' && <CoordinatorPanel api={api} device={device.device} me={me} confirmations={confirmations} keyRevision={coordinatorKeys} />}
      {admin && me.role !== 'member' && (
        <AdminSection api={api} me={me} cities={cities} organisations={organisations} reload={reload} store={device.device?.store ?? null} coordinatorKeys={coordinatorKeys} />
      )}
    </>
  );
}
