import { useState } from 'preact/hooks';
import type { Api } from '../api';
import type { DeviceRecord } from '../device/setup';
import { t } from '../i18n';
import { useAction } from '../useAction';
import { ErrorText } from './ErrorText';

/**
 * This device's name, and a small form to rename it (`PUT /api/v1/devices/{id}/name`): the
 * default is the browser and the system ("Firefox on Linux"), numbered when the member already
 * has one of that name; a name of their own tells their devices apart in every list.
 */
export function DeviceName({ api, device, onRenamed }: { api: Api; device: DeviceRecord; onRenamed: (d: DeviceRecord) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(device.name);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();

  if (!editing) {
    return (
      <>
        <span dir="auto">{device.name}</span>{' '}
        {device.status !== 'revoked' && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setName(device.name);
              setSaved(false);
              setEditing(true);
            }}
          >
            {t('device.rename')}
          </button>
        )}
        {saved && (
          <span class="small" role="status">
            {' '}
            {t('device.renamed')}
          </span>
        )}
      </>
    );
  }

  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const renamed = await api.call<DeviceRecord>('PUT', `/api/v1/devices/${encodeURIComponent(device.id)}/name`, { name: name.trim() });
      onRenamed(renamed);
      setSaved(true);
      setEditing(false);
    });
  };

  return (
    <form onSubmit={submit}>
      <label>
        {t('device.renameLabel')}
        <input required dir="auto" maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>{t('common.save')}</button>{' '}
      <button type="button" class="secondary" disabled={busy} onClick={() => setEditing(false)}>
        {t('device.renameCancel')}
      </button>
      <ErrorText error={error} />
    </form>
  );
}
