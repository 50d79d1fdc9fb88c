import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { ROLES, SECTORS, t, TIERS, type MessageKey } from '../i18n';
import type { City, Items, Organisation, User } from '../model';
import { ErrorText } from './ErrorText';

interface Props {
  api: Api;
  me: User;
  cities: City[];
  organisations: Organisation[];
  reload: () => void;
}

/** What coordinators and network admins manage: cities, organisations, invitations, members. */
export function Admin({ api, me, cities, organisations, reload }: Props) {
  const isAdmin = me.role === 'network-admin';
  const manageable = isAdmin ? cities : cities.filter((c) => c.id === me.cityId);
  const [error, setError] = useState<unknown>(null);
  const [cityId, setCityId] = useState(manageable[0]?.id ?? '');
  const attempt = (action: () => Promise<unknown>) => {
    setError(null);
    return action().then(reload, setError);
  };

  useEffect(() => {
    if (!cityId && manageable.length > 0) setCityId(manageable[0].id);
  }, [manageable.length]);

  return (
    <>
      <ErrorText error={error} />
      {isAdmin && (
        <AddCity
          cities={cities}
          onAdd={(name, country) => attempt(() => api.call('POST', '/api/v1/cities', { name, country }))}
        />
      )}
      {manageable.length > 0 && (
        <section class="card">
          <h2>{t('admin.organisations')}</h2>
          <label>
            {t('invite.city')}
            <select value={cityId} onChange={(e) => setCityId(e.currentTarget.value)}>
              {manageable.map((c) => (
                <option value={c.id}>{c.name}</option>
              ))}
            </select>
          </label>
          <ul>
            {organisations.filter((o) => o.cityId === cityId).map((o) => (
              <li>
                {o.name} · {t(`sector.${o.sector}` as MessageKey)}
              </li>
            ))}
          </ul>
          <AddOrganisation
            onAdd={(name, sector) =>
              attempt(() => api.call('POST', '/api/v1/organisations', { cityId, name, sector }))
            }
          />
          <InviteForm api={api} me={me} cityId={cityId} organisations={organisations.filter((o) => o.cityId === cityId)} />
        </section>
      )}
      <Members api={api} me={me} />
    </>
  );
}

function AddCity({ cities, onAdd }: { cities: City[]; onAdd: (name: string, country: string) => Promise<unknown> }) {
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  return (
    <section class="card">
      <h2>{t('admin.cities')}</h2>
      <ul>
        {cities.map((c) => (
          <li>
            {c.name} · {c.country}
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={(e) => { e.preventDefault(); onAdd(name, country).then(() => setName('')); }}>
        <label>{t('admin.cityName')}<input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>{t('admin.country')}<input required value={country} onInput={(e) => setCountry(e.currentTarget.value)} /></label>
        <button type="submit">{t('admin.addCity')}</button>
      </form>
    </section>
  );
}

function AddOrganisation({ onAdd }: { onAdd: (name: string, sector: string) => Promise<unknown> }) {
  const [name, setName] = useState('');
  // No default sector: it decides which channels the organisation's members may join.
  const [sector, setSector] = useState('');
  return (
    <form class="row" onSubmit={(e) => { e.preventDefault(); onAdd(name, sector).then(() => { setName(''); setSector(''); }); }}>
      <label>{t('admin.organisationName')}<input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>
        {t('invite.sector')}
        <select required value={sector} onChange={(e) => setSector(e.currentTarget.value)}>
          <option value="" disabled>{t('admin.chooseSector')}</option>
          {SECTORS.map((s) => <option value={s}>{t(`sector.${s}` as MessageKey)}</option>)}
        </select>
      </label>
      <button type="submit">{t('admin.addOrganisation')}</button>
    </form>
  );
}

function InviteForm({ api, me, cityId, organisations }: { api: Api; me: User; cityId: string; organisations: Organisation[] }) {
  const [email, setEmail] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const [tier, setTier] = useState('T0');
  const [role, setRole] = useState('member');
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Offer only what this person may grant; the server enforces the same rule.
  const tiers = me.role === 'network-admin' ? TIERS : TIERS.filter((x) => x <= me.tier);
  const roles = ROLES.slice(0, ROLES.indexOf(me.role as (typeof ROLES)[number]) + 1);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setLink(null);
    try {
      const created = await api.call<{ url: string }>('POST', '/api/v1/invitations', {
        email, cityId, organisationId, tier, role,
      });
      setLink(created.url);
      setCopied(false);
      setEmail('');
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form class="invite" onSubmit={submit}>
      <h3>{t('admin.invite')}</h3>
      <div class="row">
        <label>{t('admin.inviteEmail')}<input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label>
          {t('invite.organisation')}
          <select required value={organisationId} onChange={(e) => setOrganisationId(e.currentTarget.value)}>
            <option value="" disabled>{t('admin.chooseOrganisation')}</option>
            {organisations.map((o) => <option value={o.id}>{o.name}</option>)}
          </select>
        </label>
        <label>
          {t('invite.tier')}
          <select value={tier} onChange={(e) => setTier(e.currentTarget.value)}>
            {tiers.map((x) => <option value={x}>{t(`tier.${x}` as MessageKey)}</option>)}
          </select>
        </label>
        <label>
          {t('invite.role')}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {roles.map((r) => <option value={r}>{t(`role.${r}` as MessageKey)}</option>)}
          </select>
        </label>
        <button type="submit" disabled={organisations.length === 0}>{t('admin.sendInvite')}</button>
      </div>
      <ErrorText error={error} />
      {link && (
        <p class="notice">
          {t('admin.inviteLink')} <code>{link}</code>{' '}
          <button type="button" class="link" onClick={() => navigator.clipboard?.writeText(link).then(() => setCopied(true))}>
            {copied ? t('common.copied') : t('common.copy')}
          </button>
        </p>
      )}
    </form>
  );
}

function Members({ api, me }: { api: Api; me: User }) {
  const [users, setUsers] = useState<User[]>([]);
  const [tierFilter, setTierFilter] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const query = new URLSearchParams();
  if (me.role !== 'network-admin' && me.cityId) query.set('cityId', me.cityId);
  if (tierFilter) query.set('tier', tierFilter);
  const load = () =>
    api.call<Items<User>>('GET', `/api/v1/users?${query}`).then((r) => setUsers(r.items), setError);
  useEffect(() => {
    load();
  }, [tierFilter]);

  const act = (action: Promise<unknown>) => {
    setError(null);
    action.then(load, setError);
  };

  return (
    <section class="card">
      <h2>{t('admin.members')}</h2>
      <div class="row">
        <label>
          {t('admin.filterTier')}
          <select value={tierFilter} onChange={(e) => setTierFilter(e.currentTarget.value)}>
            <option value="">{t('admin.anyTier')}</option>
            {TIERS.map((x) => <option value={x}>{t(`tier.${x}` as MessageKey)}</option>)}
          </select>
        </label>
        <label>{t('admin.reason')}<input value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} /></label>
      </div>
      <ErrorText error={error} />
      <table>
        <tbody>
          {users.map((u) => (
            <tr>
              <td>{u.displayName}</td>
              <td>{u.email ?? ''}</td>
              <td>{t(`sector.${u.sector}` as MessageKey)}</td>
              <td>
                <label class="inline">
                  <span class="visually-hidden">{t('admin.changeTier')}</span>
                  <select value={u.tier} disabled={u.id === me.id}
                    onChange={(e) => act(api.call('PUT', `/api/v1/users/${u.id}/tier`, { tier: e.currentTarget.value, reason }))}>
                    {TIERS.map((x) => <option value={x}>{x}</option>)}
                  </select>
                </label>
              </td>
              <td>{t(`admin.status.${u.status}` as MessageKey)}</td>
              <td>
                {u.id !== me.id && (
                  <button class="link" onClick={() => act(api.call('POST', `/api/v1/users/${u.id}/${u.status === 'active' ? 'suspend' : 'reactivate'}`, { reason }))}>
                    {u.status === 'active' ? t('admin.suspend') : t('admin.reactivate')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
