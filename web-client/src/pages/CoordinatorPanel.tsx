import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiError } from '../api';
import { type Attestation, encodeChain, issueAttestation, parseAttestation, verifyCoordinatorAttestation } from '../crypto/attestation';
import { base64url, ciphersuite, fromBase64url } from '../device/identity';
import { fingerprint } from '../device/session';
import type { Device } from '../device/setup';
import { formatDate, t, tf, type MessageKey } from '../i18n';
import type { User } from '../model';
import { ErrorText } from './ErrorText';

const KEY_RECORD = 'coordinator/key';
const ATTESTATION_RECORD = 'coordinator/attestation';
/** How long a device attestation made here is valid (as the CLI's default). */
const DEVICE_DAYS = 180;

interface PendingDevice {
  id: string;
  userId: string;
  displayName: string;
  name: string;
  signatureKey: string;
  tier: string;
  sector: string;
  cityId: string | null;
}

interface CoordinatorKey {
  publicKey: Uint8Array;
  signKey: Uint8Array;
}

/**
 * "Confirm devices": a coordinator (or admin) confirms members' new devices in the browser. The
 * coordinator key is made here and kept in the encrypted key store; whoever holds the network root
 * signs its public key with the CLI; once that attestation is pasted and checked, each waiting
 * device gets a device attestation signed by this key (the same bytes the CLI makes).
 */
export function CoordinatorPanel({
  api,
  device,
  me,
  confirmations = 0,
}: {
  api: Api;
  device: Device | null;
  me: User;
  /** Moves on each `confirmations-needed` frame: the list is read again. */
  confirmations?: number;
}) {
  const [key, setKey] = useState<CoordinatorKey | null>(null);
  const [own, setOwn] = useState<{ bytes: Uint8Array; parsed: Attestation } | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [pasted, setPasted] = useState('');
  const [pending, setPending] = useState<(PendingDevice & { print: string })[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const store = device?.store ?? null;

  useEffect(() => {
    if (!store) return;
    (async () => {
      const k = await store.get(KEY_RECORD);
      if (k) setKey(JSON.parse(new TextDecoder().decode(k), (_, v) => (typeof v === 'string' ? fromBase64url(v) : v)));
      const a = await store.get(ATTESTATION_RECORD);
      if (a) setOwn({ bytes: a, parsed: parseAttestation(a) });
      setLoaded(true);
    })().catch(setError);
  }, [store]);

  const loadPending = async () => {
    const list = await api.call<{ items: PendingDevice[] }>('GET', '/api/v1/devices/pending');
    setPending(await Promise.all(list.items.map(async (d) => ({ ...d, print: await fingerprint(fromBase64url(d.signatureKey)) }))));
  };
  useEffect(() => {
    if (own) loadPending().catch(setError);
  }, [own]);
  // A member's tier or role changed: their devices wait for confirmation again.
  useEffect(() => {
    if (confirmations === 0 || !own) return;
    setNotice(t('coord.confirmationsNeeded'));
    loadPending().catch(setError);
  }, [confirmations]);

  if (!store || !loaded) return null;

  const createKey = async () => {
    const cs = await ciphersuite();
    const made = await cs.signature.keygen();
    const k = { publicKey: made.publicKey, signKey: made.signKey };
    await store.put(KEY_RECORD, new TextEncoder().encode(JSON.stringify({ publicKey: base64url(k.publicKey), signKey: base64url(k.signKey) })));
    setKey(k);
  };

  const saveAttestation = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const bytes = fromBase64url(pasted.trim());
      const network = await api.call<{ rootKey?: string | null }>('GET', '/api/v1/network');
      if (!network.rootKey || !key) throw new Error('no root');
      const parsed = await verifyCoordinatorAttestation(bytes, fromBase64url(network.rootKey), key.publicKey, me.id, new Date());
      await store.put(ATTESTATION_RECORD, bytes);
      setOwn({ bytes, parsed });
      setPasted('');
    } catch {
      setError(new ApiError(0, 'attestation-invalid', t('coord.badAttestation')));
    }
  };

  const confirmDevice = async (d: PendingDevice & { print: string }) => {
    if (!key || !own) return;
    const tier = Number(d.tier.slice(1));
    setError(null);
    setNotice(null);
    if (tier > own.parsed.tier) {
      setError(new ApiError(0, 'tier-above-issuer', tf('coord.tierAbove', { name: d.displayName, tier: d.tier })));
      return;
    }
    const question = tf('coord.confirmAsk', {
      device: d.name,
      name: d.displayName,
      tier: d.tier,
      sector: t(`sector.${d.sector}` as MessageKey),
      fingerprint: d.print,
    });
    if (!confirm(question)) return;
    try {
      const cs = await ciphersuite();
      const now = Math.floor(Date.now() / 1000);
      const link = await issueAttestation(
        {
          kind: 'device',
          userId: d.userId,
          subjectKey: fromBase64url(d.signatureKey),
          tier,
          sector: d.sector,
          cityId: d.cityId ?? '',
          issuedAt: now - 300,
          expiresAt: now + DEVICE_DAYS * 86_400,
          issuerKey: key.publicKey,
        },
        (message) => cs.signature.sign(key.signKey, message),
      );
      await api.call('PUT', `/api/v1/devices/${d.id}/attestation`, { attestation: base64url(encodeChain([own.bytes, link])) });
      setNotice(tf('coord.confirmed', { name: d.displayName }));
      await loadPending();
    } catch (err) {
      setError(err);
    }
  };

  const publicKey = key ? base64url(key.publicKey) : '';
  const command =
    `./liaison cli attest coordinator --root-key-file root.key --user ${me.id} --public-key ${publicKey} ` +
    `--tier ${me.tier.slice(1)} --sector ${me.sector}${me.role === 'network-admin' ? '' : ` --city ${me.cityId ?? ''}`} --out coordinator.att`;

  return (
    <section class="card" aria-labelledby="coord-title">
      <h2 id="coord-title">{t('coord.title')}</h2>
      <p>{t('coord.explain')}</p>
      {!key && (
        <>
          <p>{t('coord.noKey')}</p>
          <button type="button" onClick={() => createKey().catch(setError)}>
            {t('coord.createKey')}
          </button>
        </>
      )}
      {key && !own && (
        <form class="stack" onSubmit={saveAttestation}>
          <p>{t('coord.askRoot')}</p>
          <pre class="command" dir="ltr">
            <code>{command}</code>
          </pre>
          <label>
            {t('coord.paste')}
            <textarea rows={3} dir="ltr" value={pasted} required onInput={(e) => setPasted(e.currentTarget.value)} />
          </label>
          <button type="submit">{t('coord.save')}</button>
        </form>
      )}
      {own && (
        <>
          <p>
            {tf('coord.ready', {
              tier: `T${own.parsed.tier}`,
              scope: own.parsed.cityId ? t('coord.cityScope') : t('coord.networkWide'),
              date: formatDate(new Date(own.parsed.expiresAt * 1000).toISOString()),
            })}
          </p>
          <h3>{t('coord.pending')}</h3>
          {pending.length === 0 && <p class="muted">{t('coord.nonePending')}</p>}
          {pending.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('coord.person')}</th>
                  <th scope="col">{t('coord.device')}</th>
                  <th scope="col">{t('coord.fingerprint')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('coord.confirm')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {pending.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <span dir="auto">{d.displayName}</span> <span class="small muted">{d.tier} · {t(`sector.${d.sector}` as MessageKey)}</span>
                    </td>
                    <td><span dir="auto">{d.name}</span></td>
                    <td>
                      <code class="fingerprint" dir="ltr">
                        {d.print}
                      </code>
                    </td>
                    <td>
                      <button type="button" aria-label={tf('coord.confirmFor', { name: d.displayName })} onClick={() => confirmDevice(d)}>
                        {t('coord.confirm')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {notice && <p role="status">{notice}</p>}
      <ErrorText error={error} />
    </section>
  );
}
