import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { formatDate, formatNumber, t, tf, TIERS, type MessageKey } from '../i18n';
import type { City, Items, Organisation, User } from '../model';
import { ErrorText } from '../pages/ErrorText';
import { useAction } from '../useAction';
import { Confirm } from './Confirm';
import { actionOn, Notice } from './Notice';
import { TierSelect } from './TierSelect';

type StatusChange = { user: User; to: 'suspend' | 'reactivate' };

/** Members with their role, tier, city and devices; tier changes and suspension (asked first). */
export function MembersView({ api, me, cities, organisations }: { api: Api; me: User; cities: City[]; organisations: Organisation[] }) {
  const [users, setUsers] = useState<User[]>([]);
  const [tierFilter, setTierFilter] = useState('');
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState<StatusChange | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<User | null>(null);
  const [resetLink, setResetLink] = useState<{ name: string; link: string; expiresAt: string } | null>(null);
  const { busy, error, setError, run } = useAction();
  const query = new URLSearchParams();
  if (me.role !== 'network-admin' && me.cityId) query.set('cityId', me.cityId);
  if (tierFilter) query.set('tier', tierFilter);
  const load = () => api.call<Items<User>>('GET', `/api/v1/users?${query}`).then((r) => setUsers(r.items));
  useEffect(() => {
    void run(load);
  }, [tierFilter]);

  /** The audit log keeps why; the server refuses a change without a reason, so ask here first. */
  const withReason = (action: () => Promise<void>) => {
    setDone(null);
    if (reason.trim() === '') {
      setError({ code: 'reason-needed' });
      return;
    }
    void run(action);
  };
  const setTier = (user: User, tier: string) =>
    withReason(async () => {
      await api.call('PUT', `/api/v1/users/${user.id}/tier`, { tier, reason });
      setDone(tf('admin.tierChanged', { name: user.displayName, tier: t(`tier.${tier}` as MessageKey) }));
      await load();
    });
  const changeStatus = ({ user, to }: StatusChange) =>
    withReason(async () => {
      await api.call('POST', `/api/v1/users/${user.id}/${to}`, { reason });
      setAsking(null);
      setDone(tf(to === 'suspend' ? 'admin.suspended' : 'admin.reactivated', { name: user.displayName }));
      await load();
    });

  /** A one-time link for the member to set a new password (an older one stops working). */
  const makeReset = (user: User) =>
    void run(async () => {
      const made = await api.call<{ link: string; expiresAt: string }>('POST', `/api/v1/users/${user.id}/password-reset`, {});
      setResetFor(null);
      setResetLink({ name: user.displayName, ...made });
    });
  const copyResetLink = (link: string) =>
    navigator.clipboard?.writeText(link).then(() => setDone(t('admin.linkCopied')), () => {});

  const cityName = (id: string | null) => cities.find((c) => c.id === id)?.name ?? '';
  const organisationName = (id: string | null) => organisations.find((o) => o.id === id)?.name ?? '';

  return (
    <section class="card" aria-labelledby="admin-members">
      <h2 id="admin-members">{t('admin.members')}</h2>
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
      {(error as { code?: string } | null)?.code === 'reason-needed' ? (
        <p class="error" role="alert">{t('admin.reasonNeeded')}</p>
      ) : (
        <ErrorText error={error} />
      )}
      <Notice text={done} />
      {asking && (
        <Confirm
          question={tf(asking.to === 'suspend' ? 'admin.suspendAsk' : 'admin.reactivateAsk', { name: asking.user.displayName })}
          busy={busy}
          onConfirm={() => changeStatus(asking)}
          onCancel={() => setAsking(null)}
        />
      )}
      {resetFor && (
        <Confirm
          question={tf('admin.resetAsk', { name: resetFor.displayName })}
          busy={busy}
          onConfirm={() => makeReset(resetFor)}
          onCancel={() => setResetFor(null)}
        />
      )}
      {resetLink && (
        <div class="notice" role="status">
          <p>{tf('admin.resetMade', { name: resetLink.name, date: formatDate(resetLink.expiresAt) })}</p>
          <p><code dir="ltr">{resetLink.link}</code></p>
          <button type="button" class="secondary" onClick={() => copyResetLink(resetLink.link)}>
            {t('admin.copyLink')}
          </button>
        </div>
      )}
      <div class="table-scroll" tabIndex={0}>
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.col.name')}</th>
              <th scope="col">{t('admin.col.email')}</th>
              <th scope="col">{t('admin.col.role')}</th>
              <th scope="col">{t('admin.col.tier')}</th>
              <th scope="col">{t('admin.col.sector')}</th>
              <th scope="col">{t('admin.col.city')}</th>
              <th scope="col">{t('admin.col.organisation')}</th>
              <th scope="col">{t('admin.col.status')}</th>
              <th scope="col">{t('admin.col.devices')}</th>
              <th scope="col">{t('admin.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <th scope="row"><bdi>{u.displayName}</bdi></th>
                <td><bdi>{u.email ?? ''}</bdi></td>
                <td>{t(`role.${u.role}` as MessageKey)}</td>
                <td>
                  <TierSelect
                    user={u}
                    disabled={u.id === me.id || busy}
                    busy={busy}
                    ready={() => {
                      // Asked before the confirmation, so the reason is there when it is applied.
                      setDone(null);
                      if (reason.trim() !== '') return true;
                      setError({ code: 'reason-needed' });
                      return false;
                    }}
                    onConfirm={(tier) => setTier(u, tier)}
                  />
                </td>
                <td>{t(`sector.${u.sector}` as MessageKey)}</td>
                <td><bdi>{cityName(u.cityId)}</bdi></td>
                <td><bdi>{organisationName(u.organisationId)}</bdi></td>
                <td>{t(`admin.status.${u.status}` as MessageKey)}</td>
                <td>
                  {u.devicesPendingConfirmation
                    ? tf('admin.devicesWaiting', { count: formatNumber(u.devicesPendingConfirmation) })
                    : t('admin.devicesOk')}
                </td>
                <td>
                  {u.id !== me.id && u.status !== 'deleted' && (
                    <button
                      type="button"
                      class="link"
                      aria-label={actionOn(u.status === 'active' ? t('admin.suspend') : t('admin.reactivate'), u.displayName)}
                      onClick={() => {
                        setDone(null);
                        setAsking({ user: u, to: u.status === 'active' ? 'suspend' : 'reactivate' });
                      }}
                    >
                      {u.status === 'active' ? t('admin.suspend') : t('admin.reactivate')}
                    </button>
                  )}
                  {u.id !== me.id && u.status !== 'deleted' && (
                    <button
                      type="button"
                      class="link"
                      aria-label={actionOn(t('admin.resetPassword'), u.displayName)}
                      onClick={() => {
                        setDone(null);
                        setResetLink(null);
                        setResetFor(u);
                      }}
                    >
                      {t('admin.resetPassword')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
