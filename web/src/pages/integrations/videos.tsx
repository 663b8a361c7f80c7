import { useId, useSyncExternalStore } from 'react';
import { ErrorMessage, Loading } from '../../components/error-message';
import { formatCount, formatDate } from '../../components/format';
import { Picture } from '../../components/picture';
import { accountName, useIntegrations, useVideos } from './queries';

/** Which account's videos are shown; "Add video by URL" switches it to the account it added to. */
let selected: string | null = null;
const listeners = new Set<() => void>();
export const selectedAccount = {
  get: (): string | null => selected,
  set(id: string | null): void {
    selected = id;
    listeners.forEach((l) => l());
  },
  subscribe: (l: () => void): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** The "videos" area: the selected account's videos, newest first, a page at a time. */
export function Videos() {
  const integrations = useIntegrations();
  const chosen = useSyncExternalStore(selectedAccount.subscribe, selectedAccount.get);
  const items = integrations.data?.items ?? [];
  const integrationId = items.some((i) => i.id === chosen) ? chosen : (items[0]?.id ?? null);
  const videos = useVideos(integrationId);
  const selectId = useId();
  const list = videos.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="videos-heading" className="card">
      <h2 id="videos-heading">Videos</h2>
      {items.length === 0 ? (
        <p className="muted">Videos show here once an account is connected.</p>
      ) : (
        <>
          <label htmlFor={selectId}>Show videos of</label>
          <select
            id={selectId}
            value={integrationId ?? ''}
            onChange={(e) => selectedAccount.set(e.target.value)}
          >
            {items.map((i) => (
              <option key={i.id} value={i.id}>
                {accountName(i)}
              </option>
            ))}
          </select>
          {videos.isPending && <Loading what="the videos" />}
          <ErrorMessage error={videos.error} prefix="The videos could not be loaded." />
          {videos.data && list.length === 0 && (
            <p className="muted">
              No video yet. They arrive with the sync, or add one by URL above.
            </p>
          )}
          {list.length > 0 && (
            <ul className="videos" aria-label="Videos, newest first">
              {list.map((v) => (
                <li key={v.id} className="video">
                  <Picture className="thumb" src={v.thumbnailUrl} width={72} height={96} />
                  <div>
                    <p>
                      <a href={v.url} target="_blank" rel="noopener noreferrer">
                        {v.caption || `Video ${v.tiktokVideoId}`}
                      </a>
                    </p>
                    <p className="muted">
                      Posted {formatDate(v.postedAt)} · {formatCount(v.commentCount)} comments ·{' '}
                      {v.source === 'url' ? 'added by URL' : 'from sync'}
                      {v.promoted === true ? ' · promoted' : ''}
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          )}
          {videos.hasNextPage && (
            <button
              type="button"
              className="secondary"
              onClick={() => void videos.fetchNextPage()}
              disabled={videos.isFetchingNextPage}
            >
              {videos.isFetchingNextPage ? 'Loading more videos…' : 'Show more videos'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
