import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { SECTORS, t, tf, type MessageKey } from '../i18n';
import type { City, Organisation } from '../model';
import { ErrorText } from '../pages/ErrorText';
import { useAction } from '../useAction';
import { CityPicker } from './CityPicker';
import { Notice } from './Notice';

/** The organisations of the cities this person manages, and adding one. */
export function OrganisationsView({
  api,
  cities,
  organisations,
  cityId,
  setCityId,
  reload,
}: {
  api: Api;
  cities: City[];
  organisations: Organisation[];
  cityId: string;
  setCityId: (id: string) => void;
  reload: () => Promise<unknown>;
}) {
  const [name, setName] = useState('');
  // No default sector: it decides which channels the organisation's members may join.
  const [sector, setSector] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const here = organisations.filter((o) => o.cityId === cityId);
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(null);
    return run(async () => {
      await api.call('POST', '/api/v1/organisations', { cityId, name, sector });
      setDone(tf('admin.organisationAdded', { name }));
      setName('');
      setSector('');
      await reload();
    });
  };
  return (
    <section class="card" aria-labelledby="admin-organisations">
      <h2 id="admin-organisations">{t('admin.organisations')}</h2>
      <CityPicker cities={cities} cityId={cityId} setCityId={setCityId} />
      {here.length === 0 ? (
        <p class="muted">{t('admin.noOrganisations')}</p>
      ) : (
        <ul>
          {here.map((o) => (
            <li key={o.id}>
              <bdi>{o.name}</bdi> · {t(`sector.${o.sector}` as MessageKey)}
            </li>
          ))}
        </ul>
      )}
      <form class="row" onSubmit={submit}>
        <label>{t('admin.organisationName')}<input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>
          {t('invite.sector')}
          <select required value={sector} onChange={(e) => setSector(e.currentTarget.value)}>
            <option value="" disabled>{t('admin.chooseSector')}</option>
            {SECTORS.map((s) => <option value={s}>{t(`sector.${s}` as MessageKey)}</option>)}
          </select>
        </label>
        <button type="submit" disabled={busy || !cityId}>{t('admin.addOrganisation')}</button>
      </form>
      <ErrorText error={error} />
      <Notice text={done} />
    </section>
  );
}
