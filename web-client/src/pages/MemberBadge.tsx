import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import type { KeyStore } from '../device/keystore';
import { listUserDevices } from '../device/setup';
import { type DeviceKey, onVerificationChange, type VerificationState, verificationStatus } from '../device/verified';
import { t } from '../i18n';

export interface MemberBadgeProps {
  api: Api;
  store: KeyStore;
  userId: string;
  /** Their active devices, when the list already has them; otherwise fetched for this row. */
  devices?: readonly DeviceKey[];
  /** When given, the badge is a button (e.g. opening SafetyNumberPanel for this member). */
  onOpen?: () => void;
}

/**
 * A member-list marker: "✓ Verified", "Not verified", or "⚠ New device" when a device appeared
 * or was replaced since they were verified. Words, not colour alone; it follows marks and clears
 * made anywhere in this tab.
 */
export function MemberBadge({ api, store, userId, devices, onOpen }: MemberBadgeProps) {
  const [state, setState] = useState<VerificationState | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => onVerificationChange((changed) => changed === userId && setVersion((v) => v + 1)), [userId]);

  useEffect(() => {
    let live = true;
    (async () => {
      const list = devices ?? (await listUserDevices(api, userId));
      const found = await verificationStatus(store, userId, list);
      if (live) setState(found);
    })().catch(() => live && setState(null));
    return () => {
      live = false;
    };
  }, [userId, devices, store, version]);

  if (!state) return null;
  if (!onOpen) return <TrustText state={state} />;
  return (
    <button type="button" class="link trust-open" onClick={onOpen}>
      <TrustText state={state} />
      <span class="visually-hidden"> · {t('safety.open')}</span>
    </button>
  );
}

/** The status in words, with a symbol that is decoration only. */
export function TrustText({ state }: { state: Pick<VerificationState, 'status'> }) {
  const symbol = state.status === 'verified' ? '✓' : state.status === 'changed' ? '⚠' : '○';
  const text =
    state.status === 'verified'
      ? t('safety.status.verified')
      : state.status === 'changed'
        ? t('safety.status.changed')
        : t('safety.status.unverified');
  return (
    <span class={`trust trust-${state.status}`}>
      <span aria-hidden="true">{symbol}</span>
      {text}
    </span>
  );
}
