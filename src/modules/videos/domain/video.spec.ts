import { toUpsertRows } from './video';

describe('toUpsertRows', () => {
  it('collapses repeated ids, last copy wins, and keeps absent fields null', () => {
    const rows = toUpsertRows([
      { itemId: '7109065174526479622', caption: 'old', comments: 1 },
      { itemId: '7109065174526479623' },
      { itemId: '7109065174526479622', caption: 'new', comments: 2, createTime: new Date('2026-01-01T00:00:00Z') },
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      tiktok_video_id: '7109065174526479622',
      url: null,
      caption: 'new',
      thumbnail_url: null,
      posted_at: '2026-01-01T00:00:00.000Z',
      comment_count: 2,
      promoted: null,
    });
    expect(rows[1].caption).toBeNull();
  });
  it('carries is_ad as promoted: true, false, or null when TikTok did not say', () => {
    const rows = toUpsertRows([
      { itemId: '1', isAd: true },
      { itemId: '2', isAd: false },
      { itemId: '3' },
    ]);
    expect(rows.map((r) => r.promoted)).toEqual([true, false, null]);
  });
});
