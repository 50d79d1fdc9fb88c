import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';
import { formatDate, formatNumber, formatTime, t, tf } from '../i18n';
import type { Items, User } from '../model';
import { ErrorText } from '../pages/ErrorText';
import { useAction } from '../useAction';

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string;
  action: string;
  targetId: string | null;
  cityId: string | null;
  details: Record<string, string> | null;
}

export type Verdict = { valid: true; entries: number } | { valid: false; brokenAt: number; reason: string };

const PAGE = 100;

/**
 * The audit log as the server keeps it (admins all of it, coordinators their city's), and the
 * hash-chain check with a verdict people can read. Names come from the directory.
 */
export function AuditView({ api, me }: { api: Api; me: User }) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const { busy, error, run } = useAction();
  const isAdmin = me.role === 'network-admin';

  const page = (after: number) =>
    run(async () => {
      const found = await api.call<Items<AuditEntry>>('GET', `/api/v1/audit?after=${after}&limit=${PAGE}`);
      setEntries((before) => (after === 0 ? found.items : [...before, ...found.items]));
      setMore(found.items.length === PAGE);
    });
  useEffect(() => {
    void page(0);
    api
      .call<Items<User>>('GET', '/api/v1/users?limit=1000')
      .then((r) => setNames(new Map(r.items.map((u) => [u.id, u.displayName]))))
      .catch(() => {});
  }, []);

  const check = () =>
    run(async () => {
      setVerdict(null);
      setVerdict(await api.call<Verdict>('GET', '/api/v1/audit/verify'));
    });

  const who = (id: string | null) => (id === null ? '' : names.get(id) ?? id);

  return (
    <section class="card" aria-labelledby="admin-audit">
      <h2 id="admin-audit">{t('admin.tab.audit')}</h2>
      {isAdmin ? (
        <button type="button" disabled={busy} onClick={() => void check()}>{t('admin.audit.check')}</button>
      ) : (
        <p class="muted">{t('admin.audit.checkAdminOnly')}</p>
      )}
      {verdict && (
        <p class={verdict.valid ? 'notice success' : 'banner danger'} role={verdict.valid ? 'status' : 'alert'}>
          {verdict.valid
            ? tf('admin.audit.valid', { count: formatNumber(verdict.entries) })
            : tf('admin.audit.broken', { seq: formatNumber(verdict.brokenAt) })}
        </p>
      )}
      <ErrorText error={error} />
      {entries.length === 0 ? (
        <p class="muted">{t('admin.audit.empty')}</p>
      ) : (
        <div class="table-scroll" tabIndex={0}>
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('admin.audit.at')}</th>
                <th scope="col">{t('admin.audit.actor')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.target')}</th>
                <th scope="col">{t('admin.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq}>
                  <td>{formatNumber(e.seq)}</td>
                  <td>{formatDate(e.at)} {formatTime(e.at)}</td>
                  <td><bdi>{who(e.actorId)}</bdi></td>
                  <td><code>{e.action}</code></td>
                  <td><bdi>{who(e.targetId)}</bdi></td>
                  <td>
                    <bdi>
                      {Object.entries(e.details ?? {})
                        .map(([k, v]) => `${k}: ${v}`)
                        .join(' · ')}
                    </bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <button type="button" class="secondary" disabled={busy} onClick={() => void page(entries[entries.length - 1].seq)}>
          {t('admin.audit.more')}
        </button>
      )}
    </section>
  );
}
