import type { City, Organisation, User } from '../model';

/** Cities and organisations by id: what turns a person's ids into "Organisation, City". */
export interface Places {
  cities: ReadonlyMap<string, City>;
  organisations: ReadonlyMap<string, Organisation>;
}

export const NO_PLACES: Places = { cities: new Map(), organisations: new Map() };

/** "Organisation, City" (either alone when the other is unknown), or '' when neither is known. */
export function placeOf(user: Pick<User, 'cityId' | 'organisationId'> | undefined, places: Places): string {
  if (!user) return '';
  const organisation = user.organisationId ? places.organisations.get(user.organisationId)?.name : undefined;
  const city = user.cityId ? places.cities.get(user.cityId)?.name : undefined;
  return [organisation, city].filter((x): x is string => !!x).join(', ');
}

export interface OrganisationGroup {
  id: string;
  name: string;
  sector: string | null;
  people: User[];
}

export interface CityGroup {
  id: string;
  name: string;
  country: string | null;
  organisations: OrganisationGroup[];
}

/**
 * The member directory as cities → organisations → people, each level sorted by name in the
 * given locale. `query` matches names, organisations and cities (case- and accent-insensitive);
 * `sector` keeps only people of that sector. Ids the places do not know are grouped under ''
 * (the view names them "Not set").
 */
export function groupDirectory(
  users: Iterable<User>,
  places: Places,
  { query = '', sector = '', locale = 'en' }: { query?: string; sector?: string; locale?: string } = {},
): CityGroup[] {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase(locale);
  const q = fold(query.trim());
  const cities = new Map<string, CityGroup>();
  for (const u of users) {
    if (sector && u.sector !== sector) continue;
    const city = u.cityId ? places.cities.get(u.cityId) : undefined;
    const organisation = u.organisationId ? places.organisations.get(u.organisationId) : undefined;
    if (q && ![u.displayName, city?.name ?? '', organisation?.name ?? ''].some((s) => fold(s).includes(q))) continue;
    const cityId = city?.id ?? '';
    let c = cities.get(cityId);
    if (!c) cities.set(cityId, (c = { id: cityId, name: city?.name ?? '', country: city?.country ?? null, organisations: [] }));
    const orgId = organisation?.id ?? '';
    let o = c.organisations.find((x) => x.id === orgId);
    if (!o) c.organisations.push((o = { id: orgId, name: organisation?.name ?? '', sector: organisation?.sector ?? null, people: [] }));
    o.people.push(u);
  }
  // Named groups first, alphabetically; the unnamed group ('' = not set) last.
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name === '' ? 1 : b.name === '' ? -1 : a.name.localeCompare(b.name, locale);
  const result = [...cities.values()].sort(byName);
  for (const c of result) {
    c.organisations.sort(byName);
    for (const o of c.organisations) o.people.sort((a, b) => a.displayName.localeCompare(b.displayName, locale));
  }
  return result;
}
