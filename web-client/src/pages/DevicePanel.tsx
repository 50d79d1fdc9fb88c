import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { fromBase64url } from '../device/identity';
import { fingerprint } from '../device/session';
import { type Device, type DeviceRecord, listDevices, publishKeyPackages } from '../device/setup';
import { formatDate, formatNumber, t, tf, type MessageKey } from '../i18n';
import { DeviceName } from './DeviceName';
import { ErrorText } from './ErrorText';

export interface DeviceState {
  device: Device | null;
  /** This browser's device id when the store is locked (a reload): enough to show its status. */
  deviceId: string | null;
  settingUp: boolean;
  error: unknown;
}

/** "This device": its status, its key fingerprint to read to the coordinator, key-package upload. */
export function DevicePanel({ api, state, revision = 0 }: { api: Api; state: DeviceState; revision?: number }) {
  const [devices, setDevices] = useState<DeviceRecord[] | null>(null);
  const [print, setPrint] = useState<string | null>(null);
  const [published, setPublished] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const deviceId = state.device?.deviceId ?? state.deviceId;

  useEffect(() => {
    if (deviceId === null) return;
    let live = true;
    (async () => {
      const all = await listDevices(api);
      if (!live) return;
      setDevices(all);
      const mine = all.find((d) => d.id === deviceId);
      if (!mine) return;
      setPrint(await fingerprint(fromBase64url(mine.signatureKey)));
      if (state.device && mine.status === 'active') {
        await publishKeyPackages(api, state.device, mine);
        if (live) setPublished(true);
      }
    })().catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [deviceId, state.device, revision]);

  /** Revokes another of the member's devices (a lost or old browser): its sessions end at once. */
  const revoke = (d: DeviceRecord) => {
    if (!confirm(tf('device.revokeConfirm', { name: d.name }))) return;
    setError(null);
    api
      .call('POST', `/api/v1/devices/${d.id}/revoke`, {})
      .then(() => listDevices(api))
      .then(setDevices)
      .catch(setError);
  };

  const mine = devices?.find((d) => d.id === deviceId);
  let body;
  if (state.settingUp) {
    body = <p>{t('device.settingUp')}</p>;
  } else if (state.error) {
    body = <ErrorText error={state.error} />;
  } else if (deviceId === null) {
    body = <p>{t('device.locked')}</p>;
  } else if (!mine) {
    body = error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  } else {
    body = (
      <>
        <dl class="facts">
          <dt>{t('device.name')}</dt>
          <dd><DeviceName api={api} device={mine} onRenamed={(d) => setDevices((all) => all && all.map((x) => (x.id === d.id ? d : x)))} /></dd>
          <dt>{t('device.status')}</dt>
          <dd><span class="badge">{t(`device.status.${mine.status}` as MessageKey)}</span></dd>
          <dt>{t('device.fingerprint')}</dt>
          <dd><code class="fingerprint" dir="ltr">{print ?? '…'}</code></dd>
          <dt>{t('device.count')}</dt>
          <dd>{formatNumber(devices!.length)}</dd>
        </dl>
        {(mine.status === 'awaiting-attestation' || mine.status === 'pending') && <p>{t('device.awaitingHelp')}</p>}
        {(mine.status === 'awaiting-attestation' || mine.status === 'pending') && <p>{t('device.fingerprintHelp')}</p>}
        {mine.status === 'revoked' && <p>{t('device.revokedHelp')}</p>}
        {published && <p>{t('device.keysPublished')}</p>}
        {devices!.length > 1 && (
          <>
            <h3>{t('device.yours')}</h3>
            <ul class="device-list">
              {devices!.map((d) => (
                <li key={d.id}>
                  <span dir="auto">{d.name}</span> <span class="badge">{t(`device.status.${d.status}` as MessageKey)}</span>{' '}
                  <span class="small muted">{formatDate(d.createdAt)}</span>
                  {d.id === deviceId ? (
                    <span class="small"> · {t('device.thisOne')}</span>
                  ) : (
                    d.status !== 'revoked' && (
                      <button type="button" class="link danger" onClick={() => revoke(d)}>
                        {tf('device.revokeNamed', { name: d.name })}
                      </button>
                    )
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
        <ErrorText error={error} />
      </>
    );
  }
  return (
    <section class="card" aria-labelledby="device-title">
      <h2 id="device-title">{t('device.title')}</h2>
      {body}
    </section>
  );
}
