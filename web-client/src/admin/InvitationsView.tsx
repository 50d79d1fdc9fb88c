import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { formatDate, getLanguage, LANGUAGES, ROLES, t, tf, TIERS, type MessageKey } from '../i18n';
import type { City, Items, Organisation, User } from '../model';
import { ErrorText } from '../pages/ErrorText';
import { useAction } from '../useAction';
import { CityPicker } from './CityPicker';
import { Confirm } from './Confirm';
import { keepLink, keptLinks, type LinkStore } from './inviteLinks';
import { actionOn, Notice } from './Notice';

export interface PendingInvitation {
  id: string;
  email: string;
  cityId: string;
  organisationId: string;
  sector: string;
  tier: string;
  role: string;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  /** Where its e-mail stands; absent or null when it was not e-mailed. */
  delivery?: Delivery | null;
}

export interface Delivery {
  status: 'sending' | 'sent' | 'failed';
  reason?: string;
}

interface Created {
  id: string;
  url: string;
  expiresAt: string;
  delivery?: Delivery;
}

const REASONS = ['unreachable', 'refused', 'login-failed', 'insecure', 'timeout', 'other'];

/** "sent", "sending…", "not delivered: the mail server refused it" or "not e-mailed". */
export function deliveryText(delivery: Delivery | null | undefined): string {
  if (!delivery) return t('admin.delivery.none');
  if (delivery.status === 'failed') {
    const reason = REASONS.includes(delivery.reason ?? '') ? delivery.reason : 'other';
    return tf('admin.delivery.failed', { reason: t(`admin.delivery.reason.${reason}` as MessageKey) });
  }
  return t(delivery.status === 'sent' ? 'admin.delivery.sent' : 'admin.delivery.sending');
}

/**
 * Inviting someone, and the invitations still waiting: whom each is for, its expiry, the link
 * again (from this device's key store), revoke. `store` is null while the device is not set up:
 * links made then are kept for this page only.
 */
export function InvitationsView({
  api,
  me,
  cities,
  organisations,
  cityId,
  setCityId,
  store,
}: {
  api: Api;
  me: User;
  cities: City[];
  organisations: Organisation[];
  cityId: string;
  setCityId: (id: string) => void;
  store: LinkStore | null;
}) {
  const [pending, setPending] = useState<PendingInvitation[]>([]);
  const [links, setLinks] = useState<Map<string, string>>(new Map());
  const [revoking, setRevoking] = useState<PendingInvitation | null>(null);
  const [resending, setResending] = useState<PendingInvitation | null>(null);
  const [mailConfigured, setMailConfigured] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const list = useAction();

  const load = () =>
    list.run(async () => {
      const found = await api.call<Items<PendingInvitation> & { mailConfigured?: boolean }>('GET', '/api/v1/invitations');
      setPending(found.items);
      setMailConfigured(found.mailConfigured === true);
      if (store) {
        const kept = await keptLinks(store, found.items.map((i) => i.id));
        setLinks((shown) => new Map([...shown, ...kept]));
      }
    });
  useEffect(() => {
    void load();
  }, [store]);

  const created = async (email: string, invitation: Created) => {
    if (store) await keepLink(store, invitation.id, invitation.url);
    setLinks((shown) => new Map(shown).set(invitation.id, invitation.url));
    setDone(tf(invitation.delivery ? 'admin.invitationEmailed' : 'admin.invitationCreated', { email }));
    await load();
  };

  /** A new code is made and e-mailed; the old link stops working, so the kept one is replaced. */
  const sendAgain = (invitation: PendingInvitation) =>
    list.run(async () => {
      const renewed = await api.call<Created>('POST', `/api/v1/invitations/${invitation.id}/send`, {});
      if (store) await keepLink(store, renewed.id, renewed.url);
      setLinks((shown) => new Map(shown).set(renewed.id, renewed.url));
      setResending(null);
      setDone(tf('admin.sentAgain', { email: invitation.email }));
      await load();
    });

  const copy = (url: string) =>
    navigator.clipboard?.writeText(url).then(() => setDone(t('admin.linkCopied')), () => {});

  const revoke = (invitation: PendingInvitation) =>
    list.run(async () => {
      await api.call('POST', `/api/v1/invitations/${invitation.id}/revoke`, {});
      setRevoking(null);
      setDone(tf('admin.revoked', { email: invitation.email }));
      await load();
    });

  // Where mail is off (and always was), no column says "not e-mailed" on every row.
  const showDelivery = mailConfigured || pending.some((i) => i.delivery);
  const cityName = (id: string) => cities.find((c) => c.id === id)?.name ?? '';
  const organisationName = (id: string) => organisations.find((o) => o.id === id)?.name ?? '';

  return (
    <section class="card" aria-labelledby="admin-invitations">
      <h2 id="admin-invitations">{t('admin.tab.invitations')}</h2>
      <InviteForm
        api={api}
        me={me}
        cities={cities}
        cityId={cityId}
        setCityId={setCityId}
        organisations={organisations.filter((o) => o.cityId === cityId)}
        onCreated={created}
        beforeSubmit={() => setDone(null)}
        mailConfigured={mailConfigured}
      />
      <Notice text={done} />
      <h3>{t('admin.pending')}</h3>
      <ErrorText error={list.error} />
      {revoking && (
        <Confirm
          question={tf('admin.revokeAsk', { email: revoking.email })}
          busy={list.busy}
          onConfirm={() => void revoke(revoking)}
          onCancel={() => setRevoking(null)}
        />
      )}
      {resending && (
        <Confirm
          question={tf('admin.sendAgainAsk', { email: resending.email })}
          busy={list.busy}
          onConfirm={() => void sendAgain(resending)}
          onCancel={() => setResending(null)}
        />
      )}
      {pending.length === 0 ? (
        <p class="muted">{t('admin.noPending')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0}>
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.col.for')}</th>
                <th scope="col">{t('admin.col.city')}</th>
                <th scope="col">{t('admin.col.organisation')}</th>
                <th scope="col">{t('admin.col.tier')}</th>
                <th scope="col">{t('admin.col.role')}</th>
                <th scope="col">{t('admin.col.expires')}</th>
                {showDelivery && <th scope="col">{t('admin.col.delivery')}</th>}
                <th scope="col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((i) => {
                const link = links.get(i.id);
                return (
                  <tr key={i.id}>
                    <td><bdi>{i.email}</bdi></td>
                    <td><bdi>{cityName(i.cityId)}</bdi></td>
                    <td><bdi>{organisationName(i.organisationId)}</bdi></td>
                    <td>{t(`tier.${i.tier}` as MessageKey)}</td>
                    <td>{t(`role.${i.role}` as MessageKey)}</td>
                    <td>
                      {formatDate(i.expiresAt)}
                      {i.expired && <> · <span class="danger">{t('admin.expired')}</span></>}
                    </td>
                    {showDelivery && <td class={i.delivery?.status === 'failed' ? 'danger' : undefined}>{deliveryText(i.delivery)}</td>}
                    <td>
                      {link ? (
                        <button type="button" class="link" aria-label={actionOn(t('admin.copyAgain'), i.email)} onClick={() => copy(link)}>
                          {t('admin.copyAgain')}
                        </button>
                      ) : (
                        <span class="muted">{t('admin.linkElsewhere')}</span>
                      )}{' '}
                      {mailConfigured && (
                        <>
                          <button
                            type="button"
                            class="link"
                            aria-label={actionOn(i.delivery ? t('admin.sendAgain') : t('admin.sendByEmail'), i.email)}
                            onClick={() => {
                              setDone(null);
                              setResending(i);
                            }}
                          >
                            {i.delivery ? t('admin.sendAgain') : t('admin.sendByEmail')}
                          </button>{' '}
                        </>
                      )}
                      <button type="button" class="link danger" aria-label={actionOn(t('admin.revoke'), i.email)} onClick={() => setRevoking(i)}>
                        {t('admin.revoke')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function InviteForm({
  api,
  me,
  cities,
  cityId,
  setCityId,
  organisations,
  onCreated,
  beforeSubmit,
  mailConfigured,
}: {
  api: Api;
  me: User;
  cities: City[];
  cityId: string;
  setCityId: (id: string) => void;
  organisations: Organisation[];
  onCreated: (email: string, created: Created) => Promise<void>;
  beforeSubmit: () => void;
  mailConfigured: boolean;
}) {
  const [email, setEmail] = useState('');
  const [organisationId, setOrganisationId] = useState('');
  const [tier, setTier] = useState('T0');
  const [role, setRole] = useState('member');
  const [sendEmail, setSendEmail] = useState(true);
  const [language, setLanguage] = useState<string>(getLanguage());
  // Every link made on this page stays shown: creating the next one must not hide the last.
  const [made, setMade] = useState<{ email: string; url: string }[]>([]);
  const { busy, error, run } = useAction();
  // Offer only what this person may grant; the server enforces the same rule.
  const tiers = me.role === 'network-admin' ? TIERS : TIERS.filter((x) => x <= me.tier);
  const roles = ROLES.slice(0, ROLES.indexOf(me.role as (typeof ROLES)[number]) + 1);

  const submit = (e: Event) => {
    e.preventDefault();
    beforeSubmit();
    return run(async () => {
      const emailed = mailConfigured && sendEmail;
      const created = await api.call<Created>('POST', '/api/v1/invitations', {
        email,
        cityId,
        organisationId,
        tier,
        role,
        sendEmail: emailed,
        ...(emailed ? { language } : {}),
      });
      setMade((before) => [{ email, url: created.url }, ...before]);
      setEmail('');
      await onCreated(email, created);
    });
  };

  return (
    <form class="invite" onSubmit={submit}>
      <h3>{t('admin.invite')}</h3>
      <div class="row">
        <CityPicker cities={cities} cityId={cityId} setCityId={setCityId} />
        <label>{t('admin.inviteEmail')}<input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
        <label>
          {t('invite.organisation')}
          <select required value={organisationId} onChange={(e) => setOrganisationId(e.currentTarget.value)}>
            <option value="" disabled>{t('admin.chooseOrganisation')}</option>
            {organisations.map((o) => <option value={o.id} dir="auto">{o.name}</option>)}
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
        {mailConfigured && (
          <>
            <label class="inline">
              <input type="checkbox" checked={sendEmail} onChange={(e) => setSendEmail(e.currentTarget.checked)} />
              {t('admin.sendByEmail')}
            </label>
            {sendEmail && (
              <label>
                {t('admin.emailLanguage')}
                <select value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
                  {LANGUAGES.map((l) => <option value={l} lang={l}>{t(`language.${l}` as MessageKey)}</option>)}
                </select>
              </label>
            )}
          </>
        )}
        <button type="submit" disabled={busy || organisations.length === 0}>{t('admin.sendInvite')}</button>
      </div>
      <ErrorText error={error} />
      {made.length > 0 && (
        <div class="notice">
          <p>{t('admin.inviteLink')}</p>
          <ul class="invite-links">
            {made.map((m) => (
              <li key={m.url}>
                <bdi>{m.email}</bdi>: <code>{m.url}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
