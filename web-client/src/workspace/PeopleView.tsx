import { useState } from 'preact/hooks';
import { getLanguage, t, tf, type MessageKey } from '../i18n';
import type { User } from '../model';
import { Avatar } from './Avatar';
import { groupDirectory, type Places } from './people';

const SECTORS = [
  'law-enforcement', 'municipality', 'civil-society', 'youth-work', 'education', 'health', 'social-services', 'national-coordination', 'network-staff',
] as const;

/**
 * "People": the member directory as cities → organisations → people, searchable and filtered by
 * sector. It lists whom the server shows this member (their tier and below, coordinators, admins
 * and the people they share a channel with; docs/architecture.md).
 */
export function PeopleView({ users, places, myUserId }: { users: Map<string, User>; places: Places; myUserId: string | null }) {
  const [query, setQuery] = useState('');
  const [sector, setSector] = useState('');
  const groups = groupDirectory(users.values(), places, { query, sector, locale: getLanguage() });
  const count = groups.reduce((n, c) => n + c.organisations.reduce((m, o) => m + o.people.length, 0), 0);
  return (
    <section class="card people" aria-labelledby="people-title">
      <h1 id="people-title">{t('people.title')}</h1>
      <p class="muted">{t('people.explain')}</p>
      <div class="row people-filters">
        <label>
          {t('people.search')}
          <input type="search" dir="auto" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label>
          {t('people.sector')}
          <select value={sector} onChange={(e) => setSector(e.currentTarget.value)}>
            <option value="">{t('people.allSectors')}</option>
            {SECTORS.map((s) => (
              <option value={s}>{t(`sector.${s}` as MessageKey)}</option>
            ))}
          </select>
        </label>
      </div>
      <p role="status" class="small muted">
        {tf('people.count', { count })}
      </p>
      {groups.map((c) => (
        <section class="people-city" key={c.id} aria-labelledby={`city-${c.id || 'none'}`}>
          <h2 id={`city-${c.id || 'none'}`}>
            <bdi>{c.name || t('people.noCity')}</bdi>
          </h2>
          {c.organisations.map((o) => (
            <div class="people-org" key={o.id}>
              <h3>
                <bdi>{o.name || t('people.noOrganisation')}</bdi>
                {o.sector && <span class="small muted"> · {t(`sector.${o.sector}` as MessageKey)}</span>}
              </h3>
              <ul class="people-list">
                {o.people.map((u) => (
                  <li key={u.id} class="person">
                    <Avatar id={u.id} name={u.displayName} />
                    <span class="person-text">
                      <span>
                        <bdi class="person-name">{u.displayName}</bdi>
                        {u.id === myUserId && <span class="small muted"> ({t('chat.you')})</span>}
                      </span>
                      <span class="small muted person-facts">
                        <span class="badge tier">{u.tier}</span> {t(`sector.${u.sector}` as MessageKey)}
                        {u.role !== 'member' && <> · {t(`role.${u.role}` as MessageKey)}</>}
                      </span>
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </section>
  );
}
