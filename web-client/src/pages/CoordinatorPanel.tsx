import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiError } from '../api';
import { type Attestation, encodeChain, issueAttestation, parseAttestation, verifyCoordinatorAttestation } from '../crypto/attestation';
import { base64url, ciphersuite, fromBase64url } from '../device/identity';
import { fingerprint } from '../device/session';
import type { Device } from '../device/setup';
import { formatDate, t, tf, type MessageKey } from '../i18n';
import type { User } from '../model';
import { ErrorText } from './ErrorText';
import { pinnedRootKey } from '../channels/trust';

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

interface KeyRequest {
  publicKey: string;
  status: 'pending' | 'signed' | 'declined';
  attestation?: string;
  declineReason?: string;
}

/** This coordinator's key request; null when they never asked. */
async function readRequest(api: Api): Promise<KeyRequest | null> {
  try {
    return await api.call<KeyRequest>('GET', '/api/v1/coordinator-keys/mine');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

interface CoordinatorKey {
  publicKey: Uint8Array;
  signKey: Uint8Array;
}

/**
 * "Confirm devices": a coordinator (or admin) confirms members' new devices in the browser. The
 * coordinator key is made here and kept in the encrypted key store; its public key goes to the
 * network key holder as a request, whose browser signs it (or the CLI does, and the line it prints
 * is pasted here); the attestation is checked against the pinned root before it is kept, and each
 * waiting device then gets a device attestation signed by this key (the same bytes the CLI makes).
 */
export function CoordinatorPanel({
  api,
  device,
  me,
  confirmations = 0,
  newDevice = false,
  keyRevision = 0,
}: {
  api: Api;
  device: Device | null;
  me: User;
  /** Moves on each `confirmations-needed` frame: the list is read again. */
  confirmations?: number;
  /** Whether the latest of those was about a new device (else a change to the person). */
  newDevice?: boolean;
  /** Moves when the server says this coordinator's key request changed: it is read again. */
  keyRevision?: number;
}) {
  const [key, setKey] = useState<CoordinatorKey | null>(null);
  const [own, setOwn] = useState<{ bytes: Uint8Array; parsed: Attestation } | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [pasted, setPasted] = useState('');
  const [request, setRequest] = useState<KeyRequest | null | undefined>(undefined);
  const [keyPrint, setKeyPrint] = useState('');
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
    setNotice(t(newDevice ? 'coord.newDevice' : 'coord.confirmationsNeeded'));
    loadPending().catch(setError);
  }, [confirmations]);

  const keepAttestation = async (bytes: Uint8Array) => {
    const root = await pinnedRootKey(api, store!);
    if (!root || !key) throw new Error('no root');
    const parsed = await verifyCoordinatorAttestation(bytes, root, key.publicKey, me.id, new Date());
    await store!.put(ATTESTATION_RECORD, bytes);
    setOwn({ bytes, parsed });
  };

  const ask = async (publicKey: Uint8Array) => {
    setError(null);
    setRequest(await api.call<KeyRequest>('PUT', '/api/v1/coordinator-keys/mine', { publicKey: base64url(publicKey) }));
  };

  // The key's request, and its attestation once the root holder signed it in their browser:
  // checked here against the network root this browser pinned before it is kept.
  useEffect(() => {
    if (!key || own || !store) return;
    let live = true;
    (async () => {
      setKeyPrint(await fingerprint(key.publicKey));
      const mine = await readRequest(api);
      if (!live) return;
      setRequest(mine);
      if (mine?.status === 'signed' && mine.attestation && mine.publicKey === base64url(key.publicKey)) {
        await keepAttestation(fromBase64url(mine.attestation));
      }
    })().catch(setError);
    return () => {
      live = false;
    };
  }, [key, own, keyRevision]);

  // A change to this coordinator (tier, role) took their attestation back: the server put it on
  // the revocation list and asks the root holder again, so this browser stops confirming with it.
  useEffect(() => {
    if (!own || !store || keyRevision === 0) return;
    (async () => {
      const mine = await readRequest(api);
      if (mine?.status === 'signed' && mine.attestation === base64url(own.bytes)) return;
      await store.delete(ATTESTATION_RECORD);
      setOwn(null);
    })().catch(setError);
  }, [keyRevision]);

  if (!store || !loaded) return null;

  const createKey = async () => {
    const cs = await ciphersuite();
    const made = await cs.signature.keygen();
    const k = { publicKey: made.publicKey, signKey: made.signKey };
    await store.put(KEY_RECORD, new TextEncoder().encode(JSON.stringify({ publicKey: base64url(k.publicKey), signKey: base64url(k.signKey) })));
    setKey(k);
    await ask(k.publicKey);
  };

  const saveAttestation = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await keepAttestation(fromBase64url(pasted.trim()));
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
        <div class="stack">
          {request === null && (
            <>
              <p>{t('coordkey.notAsked')}</p>
              <button type="button" onClick={() => ask(key.publicKey).catch(setError)}>
                {t('coordkey.ask')}
              </button>
            </>
          )}
          {request && request.status === 'pending' && request.publicKey === base64url(key.publicKey) && (
            <p role="status">{t('coordkey.waiting')}</p>
          )}
          {request && request.status === 'pending' && request.publicKey !== base64url(key.publicKey) && (
            <>
              <p>{t('coordkey.otherBrowser')}</p>
              <button type="button" onClick={() => ask(key.publicKey).catch(setError)}>
                {t('coordkey.askAgain')}
              </button>
            </>
          )}
          {request && request.status === 'declined' && (
            <>
              <p role="status">
                {t('coordkey.declined')} <bdi>{request.declineReason}</bdi>
              </p>
              <button type="button" onClick={() => ask(key.publicKey).catch(setError)}>
                {t('coordkey.askAgain')}
              </button>
            </>
          )}
          {request && request.status === 'signed' && request.publicKey !== base64url(key.publicKey) && (
            <>
              <p>{t('coordkey.otherBrowser')}</p>
              <button type="button" onClick={() => ask(key.publicKey).catch(setError)}>
                {t('coordkey.askAgain')}
              </button>
            </>
          )}
          <p>
            {t('coordkey.yourFingerprint')} <code class="fingerprint" dir="ltr">{keyPrint}</code>
          </p>
          <details>
            <summary>{t('coordkey.commandLine')}</summary>
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
          </details>
        </div>
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
