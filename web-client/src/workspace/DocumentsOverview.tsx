import { useEffect, useState } from 'preact/hooks';
import type { ChannelView } from '../channels/model';
import type { DocumentSummary, DocumentsService } from '../documents/model';
import { formatDate, t } from '../i18n';

type Listed = { channel: ChannelView; documents: DocumentSummary[] | 'failed' };

/**
 * The member's documents across their channels, newest change first within each channel; a
 * document opens in its channel's Documents tab.
 */
export function DocumentsOverview({ channels, documents, go }: { channels: ChannelView[]; documents: DocumentsService; go: (to: string) => void }) {
  const joined = channels.filter((c) => c.joined && !c.removed);
  const key = joined.map((c) => c.id).join(',');
  const [listed, setListed] = useState<Listed[] | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all(
      joined.map((channel) =>
        documents.list(channel.id).then(
          (d): Listed => ({ channel, documents: [...d].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)) }),
          (): Listed => ({ channel, documents: 'failed' }),
        ),
      ),
    ).then((all) => live && setListed(all));
    return () => {
      live = false;
    };
  }, [key]);

  const open = (channelId: string) => (e: Event) => {
    e.preventDefault();
    go(`/c/${encodeURIComponent(channelId)}/documents`);
  };
  return (
    <section class="card overview" aria-labelledby="documents-title">
      <h1 id="documents-title">{t('overview.documentsTitle')}</h1>
      <p class="muted">{t('overview.documentsExplain')}</p>
      {listed === null && <p class="muted">{t('common.loading')}</p>}
      {listed?.length === 0 && <p class="muted">{t('channels.none')}</p>}
      {listed?.map(({ channel, documents: docs }) => (
        <section key={channel.id} class="overview-channel" aria-labelledby={`docs-${channel.id}`}>
          <h2 id={`docs-${channel.id}`}>
            <a href={`/c/${channel.id}/documents`} onClick={open(channel.id)}>
              <bdi>{channel.meta?.name || t('channels.untitled')}</bdi>
            </a>
          </h2>
          {docs === 'failed' ? (
            <p class="error small">{t('docs.listFailed')}</p>
          ) : docs.length === 0 ? (
            <p class="muted small">{t('docs.none')}</p>
          ) : (
            <ul class="overview-list">
              {docs.map((d) => (
                <li key={d.id}>
                  <a href={`/c/${channel.id}/documents`} onClick={open(channel.id)}>
                    <bdi>{d.title || t('docs.untitled')}</bdi>
                  </a>{' '}
                  <span class="small muted">{formatDate(d.updatedAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </section>
  );
}
