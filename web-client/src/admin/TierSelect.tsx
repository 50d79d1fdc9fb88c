import { useState } from 'preact/hooks';
import { t, tf, TIERS, type MessageKey } from '../i18n';
import type { User } from '../model';
import { Confirm } from './Confirm';

/**
 * A member's tier as a select that changes nothing by itself: picking another tier asks first,
 * saying what follows (raised: their devices wait for a coordinator before higher channels;
 * lowered: they leave the channels that need more). `ready` is asked before that question (the
 * reason the audit log keeps must be given first); `onConfirm` applies the change.
 */
export function TierSelect({
  user,
  disabled,
  busy,
  ready,
  onConfirm,
}: {
  user: User;
  disabled: boolean;
  busy: boolean;
  ready: () => boolean;
  onConfirm: (tier: string) => void;
}) {
  const [asking, setAsking] = useState<string | null>(null);
  const raising = asking !== null && asking > user.tier;
  return (
    <>
      <label class="inline">
        <span class="visually-hidden">{t('admin.changeTier')}</span>
        <select
          value={user.tier}
          disabled={disabled}
          onChange={(e) => {
            const tier = e.currentTarget.value;
            // The select keeps showing the held tier until the change is confirmed and applied.
            e.currentTarget.value = user.tier;
            if (tier !== user.tier && ready()) setAsking(tier);
          }}
        >
          {TIERS.map((x) => <option value={x}>{x}</option>)}
        </select>
      </label>
      {asking && (
        <Confirm
          question={tf(raising ? 'admin.raiseTierAsk' : 'admin.lowerTierAsk', {
            name: user.displayName,
            tier: t(`tier.${asking}` as MessageKey),
          })}
          busy={busy}
          onConfirm={() => {
            setAsking(null);
            onConfirm(asking);
          }}
          onCancel={() => setAsking(null)}
        />
      )}
    </>
  );
}
