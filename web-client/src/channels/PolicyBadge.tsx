import { t } from '../i18n';
import type { ChannelPolicy } from './policy';
import { describePolicy } from './text';

/** The channel's policy, plainly: "T2 · no law enforcement · 90 days". */
export function PolicyBadge({ policy }: { policy: ChannelPolicy }) {
  return (
    <span class="badge policy" title={t('policy.label')}>
      <span class="visually-hidden">{t('policy.label')}: </span>
      {describePolicy(policy)}
    </span>
  );
}
