import { useState } from 'preact/hooks';
import { SECTORS, TIERS, t, tf, type MessageKey } from '../i18n';
import type { ChannelEngine } from './engine';
import type { ChannelKind } from './model';
import { PolicyBadge } from './PolicyBadge';
import type { ChannelPolicy, Tier } from './policy';
import { humanError } from './text';

const KINDS: ChannelKind[] = ['case', 'team', 'exchange', 'announcement'];
const RETENTION = [7, 30, 90, 365];

/** Create a channel: name, kind and the policy (shown as the badge it will carry). */
export function NewChannel({ engine, go }: { engine: ChannelEngine; go: (path: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<ChannelKind>('team');
  const [minTier, setMinTier] = useState<Tier>('T2');
  const [sectors, setSectors] = useState<string[]>([...SECTORS]);
  const [retentionDays, setRetention] = useState(90);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Every sector ticked is stored as "all sectors" (an empty list), as the protocol says.
  const policy: ChannelPolicy = {
    minTier,
    allowedSectors: sectors.length === SECTORS.length ? [] : [...sectors].sort(),
    retentionDays,
    // MLS gives joiners no keys for earlier epochs; sharing history needs a re-encrypting
    // client, which does not exist yet, so the browser never promises it.
    historyOnJoin: false,
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (name.trim() === '') return setError(t('create.needName'));
    if (sectors.length === 0) return setError(t('create.needSector'));
    setBusy(true);
    setError(null);
    try {
      const id = await engine.createChannel(kind, policy, { name: name.trim(), description: description.trim() });
      go(`/c/${id}`);
    } catch (err) {
      setError(humanError(err));
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="create-title">
      <h1 id="create-title">{t('create.title')}</h1>
      <form onSubmit={submit} class="stack">
        <label>
          {t('create.name')}
          <input dir="auto" value={name} maxLength={120} required onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t('create.description')}
          <textarea dir="auto" value={description} maxLength={1000} rows={2} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label>
          {t('create.kind')}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as ChannelKind)}>
            {KINDS.map((k) => (
              <option value={k}>{t(`kind.${k}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('create.minTier')}
          <select value={minTier} onChange={(e) => setMinTier(e.currentTarget.value as Tier)}>
            {TIERS.map((tier) => (
              <option value={tier}>{t(`tier.${tier}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('create.sectors')}</legend>
          <div class="checks">
            {SECTORS.map((s) => (
              <label class="check">
                <input
                  type="checkbox"
                  checked={sectors.includes(s)}
                  onChange={(e) =>
                    setSectors(e.currentTarget.checked ? [...sectors, s] : sectors.filter((x) => x !== s))
                  }
                />
                {t(`sector.${s}` as MessageKey)}
              </label>
            ))}
          </div>
        </fieldset>
        <label>
          {t('create.retention')}
          <select value={String(retentionDays)} onChange={(e) => setRetention(Number(e.currentTarget.value))}>
            {RETENTION.map((d) => (
              <option value={String(d)}>{tf('create.days', { count: d })}</option>
            ))}
          </select>
        </label>
        <p>
          <PolicyBadge policy={policy} />
        </p>
        <p class="muted">{t('create.policyFixed')}</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="submit" disabled={busy}>
            {t('create.submit')}
          </button>
          <button type="button" class="secondary" onClick={() => go('/')}>
            {t('create.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
