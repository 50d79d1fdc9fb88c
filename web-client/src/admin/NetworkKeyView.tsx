import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiError } from '../api';
import {
  createRootKey,
  decodeStoredRoot,
  encodeStoredRoot,
  MIN_PASSPHRASE,
  openRootKeyFile,
  ROOT_RECORD,
  RootKeyError,
  sealRootKeyFile,
  signCoordinatorKey,
  type RootKey,
} from '../crypto/rootKey';
import { base64url, fromBase64url } from '../device/identity';
import { fingerprint } from '../device/session';
import { formatDate, t, tf, type MessageKey } from '../i18n';
import { ErrorText } from '../pages/ErrorText';
import { useAction } from '../useAction';
import { Confirm } from './Confirm';
import type { LinkStore } from './inviteLinks';
import { actionOn, Notice } from './Notice';

export interface CoordinatorKeyRequest {
  userId: string;
  publicKey: string;
  tier: string;
  sector: string;
  cityId: string;
  requestedAt: string;
  displayName: string;
  role: string;
  cityName: string | null;
  organisationName: string | null;
}

type Shown = CoordinatorKeyRequest & { print: string };

/** Errors of this view in the member's words, not the module's. */
function explained(err: unknown): unknown {
  if (!(err instanceof RootKeyError)) return err;
  const key = {
    WRONG_PASSPHRASE: 'netkey.wrongPassphrase',
    NOT_A_KEY_FILE: 'netkey.notAKeyFile',
    SHORT_PASSPHRASE: 'netkey.shortPassphrase',
    NOT_THIS_NETWORK: 'netkey.notThisNetwork',
  }[err.code] as MessageKey;
  return new ApiError(0, err.code, tf(key, { min: String(MIN_PASSPHRASE) }));
}

/**
 * The network key, for network admins: created here (sealed into a file the holder downloads and
 * kept in their key store), or opened from that file on another browser; and the coordinators
 * waiting for their keys to be signed with it.
 */
export function NetworkKeyView({ api, store, revision = 0 }: { api: Api; store: LinkStore | null; revision?: number }) {
  const [published, setPublished] = useState<Uint8Array | null | undefined>(undefined);
  const [held, setHeld] = useState<RootKey | null>(null);
  const [print, setPrint] = useState('');
  const [requests, setRequests] = useState<Shown[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const load = () =>
    action.run(async () => {
      const network = await api.call<{ rootKey?: string }>('GET', '/api/v1/network');
      const root = network.rootKey ? fromBase64url(network.rootKey) : null;
      setPublished(root);
      const stored = store ? await store.get(ROOT_RECORD) : null;
      const key = stored ? decodeStoredRoot(stored) : null;
      setHeld(key && root && base64url(key.publicKey) === base64url(root) ? key : null);
      if (root) setPrint(await fingerprint(root));
      const queue = await api.call<{ items: CoordinatorKeyRequest[] }>('GET', '/api/v1/coordinator-keys');
      setRequests(await Promise.all(queue.items.map(async (r) => ({ ...r, print: await fingerprint(fromBase64url(r.publicKey)) }))));
    });
  useEffect(() => {
    void load();
  }, [store, revision]);

  if (published === undefined) return <ErrorText error={action.error} />;

  return (
    <section class="card" aria-labelledby="netkey-title">
      <h2 id="netkey-title">{t('netkey.title')}</h2>
      <p>{t('netkey.explain')}</p>
      {!published && store && (
        <CreateNetworkKey
          api={api}
          store={store}
          onPublished={async () => {
            setNotice(t('netkey.published'));
            await load();
          }}
        />
      )}
      {published && (
        <p>
          {t('netkey.fingerprint')} <code class="fingerprint" dir="ltr">{print}</code>
        </p>
      )}
      {published && !held && store && (
        <OpenNetworkKey
          published={published}
          store={store}
          onOpened={async () => {
            setNotice(t('netkey.opened'));
            await load();
          }}
        />
      )}
      {published && held && store && (
        <ForgetNetworkKey
          store={store}
          onForgotten={async () => {
            setNotice(t('netkey.forgotten'));
            await load();
          }}
        />
      )}
      {published && (
        <CoordinatorQueue
          api={api}
          requests={requests}
          root={held}
          onDone={async (text) => {
            setNotice(text);
            await load();
          }}
        />
      )}
      <Notice text={notice} />
      <ErrorText error={action.error} />
    </section>
  );
}

function CreateNetworkKey({ api, store, onPublished }: { api: Api; store: LinkStore; onPublished: () => Promise<void> }) {
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [made, setMade] = useState<{ key: RootKey; url: string; print: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (passphrase !== again) throw new ApiError(0, 'mismatch', t('netkey.passphrasesDiffer'));
      const key = await createRootKey();
      try {
        const file = await sealRootKeyFile(key, passphrase);
        const url = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
        setMade({ key, url, print: await fingerprint(key.publicKey) });
        setPassphrase('');
        setAgain('');
      } catch (err) {
        throw explained(err);
      }
    });
  };

  const publish = () =>
    action.run(async () => {
      if (!made) return;
      // Kept before it is published: a key the network trusts must never be lost by this browser.
      await store.put(ROOT_RECORD, encodeStoredRoot(made.key));
      await api.call('PUT', '/api/v1/network/root-key', { rootKey: base64url(made.key.publicKey) });
      URL.revokeObjectURL(made.url);
      await onPublished();
    });

  if (!made) {
    return (
      <form class="stack" onSubmit={create}>
        <p>{t('netkey.none')}</p>
        <p class="small">{tf('netkey.passphraseHelp', { min: String(MIN_PASSPHRASE) })}</p>
        <label>
          {t('netkey.passphrase')}
          <input type="password" autocomplete="new-password" minLength={MIN_PASSPHRASE} required value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
        </label>
        <label>
          {t('netkey.passphraseAgain')}
          <input type="password" autocomplete="new-password" minLength={MIN_PASSPHRASE} required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {action.busy ? t('netkey.creating') : t('netkey.create')}
        </button>
        <ErrorText error={action.error} />
      </form>
    );
  }
  return (
    <div class="stack">
      <p>{t('netkey.saveFile')}</p>
      <p>
        <a class="button" href={made.url} download="liaison-network-key.json">
          {t('netkey.download')}
        </a>
      </p>
      <p>
        {t('netkey.fingerprint')} <code class="fingerprint" dir="ltr">{made.print}</code>
      </p>
      <label class="check">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
        {t('netkey.savedIt')}
      </label>
      <button type="button" disabled={!saved || action.busy} onClick={publish}>
        {t('netkey.publish')}
      </button>
      <ErrorText error={action.error} />
    </div>
  );
}

function ForgetNetworkKey({ store, onForgotten }: { store: LinkStore; onForgotten: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const action = useAction();
  return (
    <div class="stack">
      <p class="muted">{t('netkey.heldHere')}</p>
      {!asking && (
        <p>
          <button type="button" class="secondary" onClick={() => setAsking(true)}>
            {t('netkey.forget')}
          </button>
        </p>
      )}
      {asking && (
        <Confirm
          question={t('netkey.forgetAsk')}
          busy={action.busy}
          onCancel={() => setAsking(false)}
          onConfirm={() =>
            void action.run(async () => {
              await store.delete(ROOT_RECORD);
              setAsking(false);
              await onForgotten();
            })
          }
        />
      )}
      <ErrorText error={action.error} />
    </div>
  );
}

function OpenNetworkKey({ published, store, onOpened }: { published: Uint8Array; store: LinkStore; onOpened: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const action = useAction();
  const open = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (!file) return;
      let key: RootKey;
      try {
        key = await openRootKeyFile(await file.text(), passphrase, published);
      } catch (err) {
        throw explained(err);
      }
      await store.put(ROOT_RECORD, encodeStoredRoot(key));
      setPassphrase('');
      await onOpened();
    });
  };
  return (
    <form class="stack" onSubmit={open}>
      <p>{t('netkey.notHere')}</p>
      <label>
        {t('netkey.file')}
        <input type="file" accept=".json,.key,application/json,text/plain" required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </label>
      <label>
        {t('netkey.passphrase')}
        <input type="password" autocomplete="off" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.busy}>
        {t('netkey.open')}
      </button>
      <ErrorText error={action.error} />
    </form>
  );
}

function CoordinatorQueue({
  api,
  requests,
  root,
  onDone,
}: {
  api: Api;
  requests: Shown[];
  root: RootKey | null;
  onDone: (notice: string) => Promise<void>;
}) {
  const [signing, setSigning] = useState<Shown | null>(null);
  const [declining, setDeclining] = useState<Shown | null>(null);
  const [reason, setReason] = useState('');
  const action = useAction();
  const scope = (r: Shown) => (r.cityId ? (r.cityName ?? r.cityId) : t('coord.networkWide'));

  const sign = (r: Shown) =>
    action.run(async () => {
      if (!root) return;
      const attestation = await signCoordinatorKey(root, r);
      await api.call('PUT', `/api/v1/coordinator-keys/${r.userId}/attestation`, { attestation: base64url(attestation) });
      setSigning(null);
      await onDone(tf('netkey.signed', { name: r.displayName }));
    });
  const decline = (e: Event) => {
    e.preventDefault();
    const r = declining;
    if (!r) return;
    void action.run(async () => {
      await api.call('POST', `/api/v1/coordinator-keys/${r.userId}/decline`, { reason });
      setDeclining(null);
      setReason('');
      await onDone(tf('netkey.declined', { name: r.displayName }));
    });
  };

  return (
    <>
      <h3>{t('netkey.queue')}</h3>
      {requests.length === 0 && <p class="muted">{t('netkey.queueEmpty')}</p>}
      {requests.length > 0 && (
        <div class="table-scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('coord.person')}</th>
                <th scope="col">{t('netkey.organisation')}</th>
                <th scope="col">{t('netkey.scope')}</th>
                <th scope="col">{t('netkey.tier')}</th>
                <th scope="col">{t('coord.fingerprint')}</th>
                <th scope="col">{t('netkey.requested')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('netkey.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.userId}>
                  <td>
                    <bdi>{r.displayName}</bdi> <span class="small muted">{t(`role.${r.role}` as MessageKey)}</span>
                  </td>
                  <td>
                    <bdi>{r.organisationName ?? '—'}</bdi>
                  </td>
                  <td>
                    <bdi>{scope(r)}</bdi>
                  </td>
                  <td>
                    {r.tier} · {t(`sector.${r.sector}` as MessageKey)}
                  </td>
                  <td class="fingerprint-cell">
                    <code class="fingerprint" dir="ltr">
                      {r.print}
                    </code>
                  </td>
                  <td>{formatDate(r.requestedAt)}</td>
                  <td class="row">
                    <button type="button" disabled={!root} aria-label={actionOn(t('netkey.sign'), r.displayName)} onClick={() => setSigning(r)}>
                      {t('netkey.sign')}
                    </button>
                    <button type="button" class="secondary" aria-label={actionOn(t('netkey.decline'), r.displayName)} onClick={() => setDeclining(r)}>
                      {t('netkey.decline')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {signing && (
        <Confirm
          question={tf('netkey.signAsk', {
            name: signing.displayName,
            organisation: signing.organisationName ?? '—',
            scope: scope(signing),
            tier: signing.tier,
          })}
          busy={action.busy}
          onConfirm={() => void sign(signing)}
          onCancel={() => setSigning(null)}
        >
          <p>
            {tf('netkey.compare', { name: signing.displayName })} <code class="fingerprint" dir="ltr">{signing.print}</code>
          </p>
        </Confirm>
      )}
      {declining && (
        <form class="stack confirm" onSubmit={decline}>
          <label>
            {tf('netkey.declineReason', { name: declining.displayName })}
            <input type="text" required maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <div class="row">
            <button type="button" class="secondary" onClick={() => setDeclining(null)}>
              {t('admin.cancel')}
            </button>
            <button type="submit" class="secondary danger" disabled={action.busy}>
              {t('netkey.decline')}
            </button>
          </div>
        </form>
      )}
      <ErrorText error={action.error} />
    </>
  );
}

