import { t } from '../i18n';
import type { City } from '../model';

export function CityPicker({ cities, cityId, setCityId }: { cities: City[]; cityId: string; setCityId: (id: string) => void }) {
  return (
    <label>
      {t('invite.city')}
      <select value={cityId} onChange={(e) => setCityId(e.currentTarget.value)}>
        {cities.map((c) => (
          <option value={c.id} dir="auto">{c.name}</option>
        ))}
      </select>
    </label>
  );
}
