import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api';
import { base64url, fromBase64url } from '../device/identity';
import type { KeyStore } from '../device/keystore';
import { fingerprint } from '../device/session';
import { type DeviceRecord, listUserDevices } from '../device/setup';
import {
  clearVerified,
  markVerified,
  type Verification,
  type VerificationState,
  verificationOf,
  verificationStatus,
} from '../device/verified';
import { formatDate, formatNumber, t, tf } from '../i18n';
import { ErrorText } from './ErrorText';
import { TrustText } from './MemberBadge';
import { modulesPath, qrDetector, qrModules, type QrDetector } from './safetyQr';


export interface SafetyNumberProps {
  api: Api;
  /** The open key store, where verifications are kept. */
  store: KeyStore;
  myUserId: string;
  /**
   * The signature keys of all my devices. When absent, my active devices as the server lists them
   * to others (`GET /api/v1/users/{me}/devices`), which is what the other person's number covers.
   */
  myKeys?: readonly Uint8Array[];
  user: { id: string; displayName: string };
  /** After marking or clearing, e.g. to refresh a member list. */
  onChange?: (state: VerificationState) => void;
  /** When given, a Close button calls it. */
  onClose?: () => void;
}

/**
 * One member's devices and the safety number between us: compare the 60 digits or scan their QR
 * code, then mark them verified. A new or replaced device of theirs shows the verification as
 * changed until it is compared again.
 */
export function SafetyNumberPanel({ api, store, myUserId, myKeys, user, onChange, onClose }: SafetyNumberProps) {
  const [devices, setDevices] = useState<DeviceRecord[] | null>(null);
  const [myCount, setMyCount] = useState<number | null>(null);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [prints, setPrints] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const titleId = `safety-title-${user.id}`;
  const name = user.displayName;
  // By value, so a host that passes a fresh array on each render does not refetch each time.
  const myKeysId = myKeys?.map(base64url).join(',') ?? null;

  useEffect(() => {
    let live = true;
    setVerification(null);
    setError(null);
    (async () => {
      const [theirs, mine] = await Promise.all([
        listUserDevices(api, user.id),
        myKeys ? Promise.resolve(null) : listUserDevices(api, myUserId),
      ]);
      const keys = myKeys ?? mine!.map((d) => fromBase64url(d.signatureKey));
      const computed = await verificationOf(store, myUserId, keys, user.id, theirs);
      if (!live) return;
      setDevices(theirs);
      setMyCount(keys.length);
      setVerification(computed);
      const entries = await Promise.all(
        theirs.map(async (d) => [d.id, await fingerprint(fromBase64url(d.signatureKey))] as const),
      );
      if (live) setPrints(Object.fromEntries(entries));
    })().catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [user.id, myUserId, myKeysId, store]);

  const act = async (action: (v: Verification) => Promise<void>) => {
    if (!verification) return;
    setBusy(true);
    setError(null);
    try {
      await action(verification);
      const state = await verificationStatus(store, user.id, verification.devices);
      setVerification({ ...verification, ...state });
      onChange?.(state);
      // The button pressed goes away: keep keyboard focus on the status that changed.
      statusRef.current?.focus();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const mark = () => act((v) => markVerified(store, v));
  const clear = () => act(() => clearVerified(store, user.id));

  let body;
  if (!verification || !devices) {
    body = error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  } else {
    const newIds = new Set(verification.newDeviceIds);
    body = (
      <>
        <p ref={statusRef} tabIndex={-1} role="status" class="safety-status">
          <TrustText state={verification} />
          {verification.status === 'verified' && verification.verifiedAt && (
            <span class="muted"> · {tf('safety.verifiedOn', { date: formatDate(verification.verifiedAt) })}</span>
          )}
        </p>
        {verification.status === 'changed' && <p class="safety-warning">{tf('safety.changedHelp', { name })}</p>}

        <h3>{t('safety.number')}</h3>
        <p>{tf('safety.explain', { name })}</p>
        <Digits groups={verification.groups} />
        <QrCode text={verification.qrText} />
        <QrScanner
          verification={verification}
          onMatch={() => verification.status !== 'verified' && mark()}
          name={name}
        />
        <p>{t('safety.mismatchHelp')}</p>
        {myCount !== null && <p class="muted">{tf('safety.yourDevices', { count: formatNumber(myCount) })}</p>}

        <div class="row">
          {verification.status !== 'verified' && (
            <button type="button" onClick={mark} disabled={busy}>
              {t('safety.markVerified')}
            </button>
          )}
          {verification.status !== 'unverified' && (
            <button type="button" class="secondary" onClick={clear} disabled={busy}>
              {t('safety.clearVerified')}
            </button>
          )}
          {onClose && (
            <button type="button" class="secondary" onClick={onClose}>
              {t('safety.close')}
            </button>
          )}
        </div>
        <ErrorText error={error} />

        <h3>{tf('safety.devices', { name })}</h3>
        {devices.length === 0 ? (
          <p>{tf('safety.noDevices', { name })}</p>
        ) : (
          <ul class="safety-devices">
            {devices.map((d) => (
              <li key={d.id}>
                <strong dir="auto">{d.name}</strong>
                {newIds.has(d.id) && (
                  <>
                    {' '}
                    <span class="trust trust-changed">
                      <span aria-hidden="true">⚠</span>
                      {t('safety.newDevice')}
                    </span>
                  </>
                )}
                <dl class="facts">
                  <dt>{t('safety.deviceAdded')}</dt>
                  <dd>{formatDate(d.createdAt)}</dd>
                  <dt>{t('device.fingerprint')}</dt>
                  <dd>
                    <code class="fingerprint" dir="ltr">{prints[d.id] ?? '…'}</code>
                  </dd>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <section class="card safety" aria-labelledby={titleId}>
      <h2 id={titleId}>{tf('safety.title', { name })}</h2>
      {body}
    </section>
  );
}

/**
 * 12 groups of 5 in a grid, left to right in every language. Screen readers get the digits one by
 * one, group by group, instead of twelve five-digit numbers read as quantities.
 */
function Digits({ groups }: { groups: string[] }) {
  const spoken = groups.map((g) => g.split('').join(' ')).join(', ');
  return (
    <figure class="safety-number">
      <figcaption class="visually-hidden">{t('safety.number')}</figcaption>
      <div class="safety-digits" dir="ltr" aria-hidden="true">
        {groups.map((g, i) => (
          <span key={i}>{g}</span>
        ))}
      </div>
      <p class="visually-hidden" dir="ltr" data-spoken>
        {spoken}
      </p>
    </figure>
  );
}

/** The QR code, drawn here from the payload (no image from anywhere else). */
function QrCode({ text }: { text: string }) {
  const [modules, setModules] = useState<boolean[][] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setModules(null);
    qrModules(text)
      .then((m) => live && setModules(m))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [text]);
  if (failed) return <p class="error">{t('safety.qrFailed')}</p>;
  if (!modules) return <p class="muted">{t('safety.qrLoading')}</p>;
  const size = modules.length;
  return (
    <svg
      class="safety-qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={t('safety.qr')}
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={modulesPath(modules)} fill="#000" />
    </svg>
  );
}

type ScanResult = 'idle' | 'scanning' | 'match' | 'mismatch' | 'foreign' | 'failed';

/** Scans their code with the camera; shown only where the browser can read QR codes. */
function QrScanner({ verification, onMatch, name }: { verification: Verification; onMatch: () => void; name: string }) {
  const [detector, setDetector] = useState<QrDetector | null>(null);
  const [result, setResult] = useState<ScanResult>('idle');
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    let live = true;
    qrDetector().then((d) => live && setDetector(d));
    return () => {
      live = false;
      stop();
    };
  }, []);

  const stop = () => {
    clearTimeout(timer.current);
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
  };

  const start = async () => {
    if (!detector) return;
    setResult('scanning');
    try {
      stream.current = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      const el = video.current!;
      el.srcObject = stream.current;
      await el.play();
    } catch {
      stop();
      setResult('failed');
      return;
    }
    const look = async () => {
      if (!stream.current) return;
      try {
        const codes = await detector.detect(video.current!);
        const text = codes[0]?.rawValue;
        if (text !== undefined) {
          stop();
          const found = verification.compareScanned(text);
          setResult(found);
          if (found === 'match') onMatch();
          return;
        }
      } catch {
        // a frame that could not be read; try the next one
      }
      timer.current = setTimeout(look, 250);
    };
    look();
  };

  const cancel = () => {
    stop();
    setResult('idle');
  };

  if (!detector) return null;
  const message: Partial<Record<ScanResult, { text: string; cls: string }>> = {
    match: { text: tf('safety.scanMatch', { name }), cls: 'notice' },
    mismatch: { text: t('safety.scanMismatch'), cls: 'error' },
    foreign: { text: t('safety.scanForeign'), cls: 'error' },
    failed: { text: t('safety.scanFailed'), cls: 'error' },
  };
  const shown = message[result];
  return (
    <div class="safety-scan">
      {result === 'scanning' ? (
        <button type="button" class="secondary" onClick={cancel}>
          {t('safety.scanStop')}
        </button>
      ) : (
        <button type="button" class="secondary" onClick={start}>
          {t('safety.scan')}
        </button>
      )}
      <video ref={video} hidden={result !== 'scanning'} muted playsInline aria-label={t('safety.scanVideo')} />
      <p role="status" class={shown?.cls}>
        {shown?.text}
      </p>
    </div>
  );
}
