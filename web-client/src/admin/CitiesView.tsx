import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { t, tf } from '../i18n';
import type { City } from '../model';
import { ErrorText } from '../pages/ErrorText';
import { useAction } from '../useAction';
import { Notice } from './Notice';

/** Cities of the network; only network admins add them. */
export function CitiesView({ api, cities, canAdd, reload }: { api: Api; cities: City[]; canAdd: boolean; reload: () => Promise<unknown> }) {
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    setDone(null);
    return run(async () => {
      await api.call('POST', '/api/v1/cities', { name, country });
      setDone(tf('admin.cityAdded', { name }));
      setName('');
      setCountry('');
      await reload();
    });
  };
  return (
    <section class="card" aria-labelledby="admin-cities">
      <h2 id="admin-cities">{t('admin.cities')}</h2>
      {cities.length === 0 ? (
        <p class="muted">{t('admin.noCities')}</p>
      ) : (
        <ul>
          {cities.map((c) => (
            <li key={c.id}>
              <bdi>{c.name}</bdi> · {c.country}
            </li>
          ))}
        </ul>
      )}
      {canAdd && (
        <form class="row" onSubmit={submit}>
          <label>{t('admin.cityName')}<input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
          <label>{t('admin.country')}<input required value={country} onInput={(e) => setCountry(e.currentTarget.value)} /></label>
          <button type="submit" disabled={busy}>{t('admin.addCity')}</button>
        </form>
      )}
      <ErrorText error={error} />
      <Notice text={done} />
    </section>
  );
}
