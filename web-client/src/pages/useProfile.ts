import { useState } from 'preact/hooks';
import type { Api } from '../api';
import type { City, Items, Organisation, User } from '../model';

/**
 * The signed-in member as the profile and administration pages show them, with the cities and
 * organisations their names come from; `reload` reads all three again and resolves with the user
 * (undefined when it failed: `error` says why).
 */
export function useProfile(api: Api) {
  const [me, setMe] = useState<User | null>(null);
  const [cities, setCities] = useState<City[]>([]);
  const [organisations, setOrganisations] = useState<Organisation[]>([]);
  const [error, setError] = useState<unknown>(null);
  const reload = (): Promise<User | undefined> =>
    Promise.all([
      api.call<User>('GET', '/api/v1/me'),
      api.call<Items<City>>('GET', '/api/v1/cities'),
      api.call<Items<Organisation>>('GET', '/api/v1/organisations'),
    ])
      .then(([user, c, o]) => {
        setMe(user);
        setCities(c.items);
        setOrganisations(o.items);
        return user;
      })
      .catch((e) => {
        setError(e);
        return undefined;
      });
  return { me, setMe, cities, organisations, error, reload };
}
