import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../api/client';
import type { Video } from '../../api/contract';
import { ApiError } from '../../api/errors';
import { ErrorMessage } from '../../components/error-message';
import { accountName, keys, useIntegrations } from './queries';
import { selectedAccount } from './videos';

type Outcome =
  | { kind: 'added' | 'already'; video: Video; account: string }
  | { kind: 'invalid' }
  | { kind: 'not-in-account'; account: string };

/** "Add video by URL": an older video (before the connection) by its TikTok address. */
export function AddVideo() {
  const integrations = useIntegrations();
  const queryClient = useQueryClient();
  const active = integrations.data?.items.filter((i) => i.status === 'active') ?? [];
  const [chosen, setChosen] = useState('');
  const [url, setUrl] = useState('');
  const ids = { account: useId(), url: useId() };
  const integrationId = chosen || active[0]?.id || '';
  const account = active.find((i) => i.id === integrationId);
  const add = useMutation({
    mutationFn: async (): Promise<Outcome> => {
      const name = account ? accountName(account) : 'this account';
      try {
        const res = await api.POST('/api/v1/integrations/tiktok/{id}/videos', {
          params: { path: { id: integrationId } },
          body: { url: url.trim() },
        });
        const video = res.data as unknown as Video;
        return { kind: res.response.status === 201 ? 'added' : 'already', video, account: name };
      } catch (e) {
        if (e instanceof ApiError && e.code === 'INVALID_VIDEO_URL') return { kind: 'invalid' };
        if (e instanceof ApiError && e.code === 'VIDEO_NOT_IN_ACCOUNT')
          return { kind: 'not-in-account', account: name };
        throw e;
      }
    },
    onSuccess: (o) => {
      if (o.kind === 'added' || o.kind === 'already') {
        setUrl('');
        selectedAccount.set(o.video.integrationId);
        void queryClient.invalidateQueries({ queryKey: keys.videos(o.video.integrationId) });
      }
    },
  });
  return (
    <section aria-labelledby="add-video-heading" className="card">
      <h2 id="add-video-heading">Add video by URL</h2>
      <p className="muted">
        Videos come in by themselves when new comments arrive. Add an older video by pasting its
        TikTok address.
      </p>
      {integrations.data && active.length === 0 ? (
        <p className="muted">No active account to add videos to.</p>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (integrationId && url.trim()) add.mutate();
          }}
        >
          <label htmlFor={ids.account}>TikTok account</label>
          <select
            id={ids.account}
            value={integrationId}
            onChange={(e) => setChosen(e.target.value)}
          >
            {active.map((i) => (
              <option key={i.id} value={i.id}>
                {accountName(i)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.url}>Video URL</label>
          <input
            id={ids.url}
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://www.tiktok.com/@account/video/…"
            autoComplete="off"
          />
          <button type="submit" disabled={!integrationId || !url.trim() || add.isPending}>
            Add video
          </button>
        </form>
      )}
      {add.data && <AddOutcome outcome={add.data} />}
      <ErrorMessage error={add.error} prefix="Could not add the video." />
    </section>
  );
}

function AddOutcome({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case 'added':
      return (
        <p role="status" className="notice notice-success">
          Added: the video “{outcome.video.caption || outcome.video.tiktokVideoId}” of{' '}
          {outcome.account} is now under Videos, and its comments are being imported.
        </p>
      );
    case 'already':
      return (
        <p role="status" className="notice">
          Already there: the video “{outcome.video.caption || outcome.video.tiktokVideoId}” was
          already in Echo.
        </p>
      );
    case 'invalid':
      return (
        <p role="alert" className="notice notice-error">
          That is not a TikTok video URL. Copy the video&apos;s address from TikTok (for example
          https://www.tiktok.com/@account/video/1234567890123456789) and try again.
        </p>
      );
    case 'not-in-account':
      return (
        <p role="alert" className="notice notice-error">
          That video is not one of {outcome.account}&apos;s videos on TikTok. Check that you chose
          the account the video belongs to.
        </p>
      );
  }
}
