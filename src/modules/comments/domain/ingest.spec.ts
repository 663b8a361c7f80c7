import type { TikTokComment } from '@shared/tiktok/tiktok-api.port';
import { toIngestRows } from './ingest';

const c = (id: string, extra: Partial<TikTokComment> = {}): TikTokComment => ({
  commentId: id,
  videoId: '7109065174526479622',
  parentCommentId: null,
  text: `text ${id}`,
  createTime: new Date('2026-01-01T00:00:00Z'),
  likes: 0,
  replies: 0,
  owner: false,
  status: 'PUBLIC',
  username: 'fan',
  displayName: 'Fan',
  profileImage: null,
  uniqueIdentifier: null,
  ...extra,
});

describe('toIngestRows', () => {
  it('flattens inline replies, dedupes by id (last wins) and splits top-level from replies', () => {
    const { topLevel, replies } = toIngestRows([
      c('1', { replyList: [c('2', { parentCommentId: '1' })] }),
      c('2', { parentCommentId: '1', text: 'edited', status: 'HIDDEN' }),
      c('1', { likes: 5 }),
    ]);
    expect(topLevel.map((r) => [r.tiktok_comment_id, r.like_count])).toEqual([['1', 5]]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ tiktok_comment_id: '2', tiktok_parent_id: '1', text: 'edited', hidden: true });
  });
});
