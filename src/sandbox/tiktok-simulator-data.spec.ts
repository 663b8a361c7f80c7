import { SimAnswer, callSimulator } from './simulator-client';
import { RunningSimulator, startTikTokSimulator } from './tiktok-simulator';

describe('TikTok simulator: videos and comments', () => {
  let sim: RunningSimulator;
  let openId: string;
  let token: string;
  const base = 1_750_000_000; // unix seconds
  const get = (path: string, q: Record<string, unknown>): Promise<SimAnswer> =>
    callSimulator(sim, 'GET', path, { business_id: openId, ...q }, { accessToken: token });
  const post = (path: string, b: Record<string, unknown>): Promise<SimAnswer> =>
    callSimulator(sim, 'POST', path, { business_id: openId, ...b }, { accessToken: token });

  beforeEach(async () => {
    sim = await startTikTokSimulator({
      rateLimit: { enabled: false },
      now: () => (base + 100_000) * 1000,
    });
    openId = sim.control.addAccount({ username: 'maker' }).openId;
    token = sim.control.grantTokens(openId).accessToken;
  });

  afterEach(async () => {
    await sim.close();
  });

  it('generates 19-digit string ids starting with 7', () => {
    const v = sim.control.addVideo(openId);
    const c = sim.control.addComment(openId, v.itemId, { text: 'x' });
    for (const id of [v.itemId, c.commentId]) expect(id).toMatch(/^7\d{18}$/);
  });

  describe('business/video/list/', () => {
    it('pages newest first by a millisecond cursor without repeats, max 20', async () => {
      // Two videos in the same second must still both be returned.
      for (let i = 0; i < 26; i++)
        sim.control.addVideo(openId, {
          caption: `v${i}`,
          createTime: base + Math.floor(i / 2) * 60,
        });
      const seen: string[] = [];
      let cursor: number | undefined;
      let pages = 0;
      for (;;) {
        const res = await get('business/video/list/', {
          max_count: 20,
          cursor,
          fields: ['item_id', 'create_time'],
        });
        expect(res.code).toBe(0);
        const videos = res.data.videos as { item_id: string; create_time: number }[];
        expect(videos.length).toBeLessThanOrEqual(20);
        seen.push(...videos.map((v) => v.item_id));
        pages++;
        const times = videos.map((v) => v.create_time);
        expect([...times].sort((a, b) => b - a)).toEqual(times);
        if (!res.data.has_more) break;
        cursor = res.data.cursor as number;
        expect(cursor).toBeGreaterThan(1e12); // milliseconds
      }
      expect(pages).toBe(2);
      expect(new Set(seen).size).toBe(26);
      expect(seen).toEqual(sim.control.listVideos(openId).map((v) => v.itemId));
    });

    it('defaults max_count to 10 and refuses 21 and 0', async () => {
      for (let i = 0; i < 12; i++) sim.control.addVideo(openId, { createTime: base + i });
      const res = await get('business/video/list/', {});
      expect((res.data.videos as unknown[]).length).toBe(10);
      expect(res.data.has_more).toBe(true);
      expect((await get('business/video/list/', { max_count: 21 })).code).toBe(40002);
      expect((await get('business/video/list/', { max_count: 0 })).code).toBe(40002);
    });

    it('returns only asked fields (item_id always) and filters by video_ids', async () => {
      const a = sim.control.addVideo(openId, { caption: 'hello', createTime: base });
      sim.control.addVideo(openId, { caption: 'other', createTime: base + 1 });
      sim.control.addComment(openId, a.itemId, { text: 'c' });
      const res = await get('business/video/list/', {
        fields: ['caption', 'create_time', 'comments', 'share_url'],
        filters: { video_ids: [a.itemId] },
      });
      expect(res.data.videos).toEqual([
        {
          item_id: a.itemId,
          caption: 'hello',
          create_time: base,
          comments: 1,
          share_url: `https://www.tiktok.com/@maker/video/${a.itemId}`,
        },
      ]);
      const def = await get('business/video/list/', {});
      expect(Object.keys((def.data.videos as object[])[0])).toEqual(['item_id']);
      expect((await get('business/video/list/', { filters: '{"video_ids":' })).code).toBe(40002);
      expect((await get('business/video/list/', { fields: ['nope'] })).code).toBe(40002);
    });
  });

  describe('business/comment/list/', () => {
    let videoId: string;
    beforeEach(() => {
      videoId = sim.control.addVideo(openId, { createTime: base }).itemId;
    });

    it('repeats items past 500 like TikTok (each skipped one only in that order), unless turned off', async () => {
      for (let i = 0; i < 700; i++)
        sim.control.addComment(openId, videoId, { text: `c${i}`, createTime: base + i });
      const walk = async (order: 'desc' | 'asc'): Promise<string[]> => {
        const seen: string[] = [];
        for (let cursor = 0; ; ) {
          const res = await get('business/comment/list/', { video_id: videoId, max_count: 30, cursor, sort_order: order });
          seen.push(...(res.data.comments as { comment_id: string }[]).map((c) => c.comment_id));
          if (!res.data.has_more) return seen;
          cursor = res.data.cursor as number;
        }
      };
      const desc = await walk('desc');
      expect(desc).toHaveLength(700);
      expect(new Set(desc.slice(0, 500)).size).toBe(500); // the first 500 are exact
      const skipped = 700 - new Set(desc).size;
      expect(skipped).toBe(20); // one in ten of the 200 past 500 is a repeat
      const asc = await walk('asc');
      expect(new Set([...desc, ...asc]).size).toBe(700); // both orders together list every comment
      sim.control.deepPaging = null;
      expect(new Set(await walk('desc')).size).toBe(700);
    });

    it('pages top-level comments newest first, max 30, cursor as offset', async () => {
      for (let i = 0; i < 45; i++)
        sim.control.addComment(openId, videoId, { text: `c${i}`, createTime: base + i });
      const first = await get('business/comment/list/', { video_id: videoId, max_count: 30 });
      const firstList = first.data.comments as {
        text: string;
        create_time: string;
        comment_id: string;
      }[];
      expect(firstList).toHaveLength(30);
      expect(firstList[0].text).toBe('c44');
      expect(typeof firstList[0].create_time).toBe('string');
      expect(firstList[0].create_time).toBe(String(base + 44));
      expect(first.data).toMatchObject({ cursor: 30, has_more: true });
      const second = await get('business/comment/list/', {
        video_id: videoId,
        max_count: 30,
        cursor: 30,
      });
      const secondList = second.data.comments as { comment_id: string }[];
      expect(secondList).toHaveLength(15);
      expect(second.data).toMatchObject({ cursor: 45, has_more: false });
      const ids = [...firstList, ...secondList].map((c) => c.comment_id);
      expect(new Set(ids).size).toBe(45);
      expect((await get('business/comment/list/', { video_id: videoId, max_count: 31 })).code).toBe(
        40002,
      );
      const def = await get('business/comment/list/', { video_id: videoId });
      expect((def.data.comments as unknown[]).length).toBe(20);
    });

    it('shapes comments like TikTok, with reply_list of at most 3 when asked', async () => {
      const top = sim.control.addComment(openId, videoId, {
        text: 'nice',
        username: 'phoenix',
        displayName: 'Phoenix',
        createTime: base + 10,
      });
      for (let i = 0; i < 5; i++)
        sim.control.addComment(openId, videoId, {
          text: `r${i}`,
          parentCommentId: top.commentId,
          createTime: base + 20 + i,
        });
      const plain = await get('business/comment/list/', { video_id: videoId });
      const comments = plain.data.comments as Record<string, unknown>[];
      expect(comments).toHaveLength(1);
      expect(comments[0]).toMatchObject({
        comment_id: top.commentId,
        video_id: videoId,
        text: 'nice',
        create_time: String(base + 10),
        likes: 0,
        replies: 5,
        owner: false,
        status: 'PUBLIC',
        username: 'phoenix',
        display_name: 'Phoenix',
      });
      expect(typeof comments[0].unique_identifier).toBe('string');
      expect(typeof comments[0].profile_image).toBe('string');
      expect(comments[0]).not.toHaveProperty('parent_comment_id');
      expect(comments[0]).not.toHaveProperty('reply_list');
      const withReplies = await get('business/comment/list/', {
        video_id: videoId,
        include_replies: true,
      });
      const list = (withReplies.data.comments as { reply_list: Record<string, unknown>[] }[])[0]
        .reply_list;
      expect(list).toHaveLength(3);
      expect(list.map((r) => r.text)).toEqual(['r4', 'r3', 'r2']);
      expect(list[0].parent_comment_id).toBe(top.commentId);
    });

    it('status PUBLIC omits hidden comments, ALL (default) includes them; deleted never appear', async () => {
      const a = sim.control.addComment(openId, videoId, { text: 'a', createTime: base + 1 });
      sim.control.addComment(openId, videoId, { text: 'b', createTime: base + 2, hidden: true });
      const c = sim.control.addComment(openId, videoId, { text: 'c', createTime: base + 3 });
      sim.control.deleteComment(c.commentId);
      const all = await get('business/comment/list/', { video_id: videoId });
      expect(
        (all.data.comments as { text: string; status: string }[]).map((x) => [x.text, x.status]),
      ).toEqual([
        ['b', 'HIDDEN'],
        ['a', 'PUBLIC'],
      ]);
      const pub = await get('business/comment/list/', { video_id: videoId, status: 'PUBLIC' });
      expect((pub.data.comments as { comment_id: string }[]).map((x) => x.comment_id)).toEqual([
        a.commentId,
      ]);
      expect(
        (await get('business/comment/list/', { video_id: videoId, status: 'SOME' })).code,
      ).toBe(40002);
    });

    it('comment_ids returns those comments or replies whatever the paging', async () => {
      const old = sim.control.addComment(openId, videoId, { text: 'old', createTime: base });
      for (let i = 0; i < 40; i++)
        sim.control.addComment(openId, videoId, { text: `n${i}`, createTime: base + 100 + i });
      const reply = sim.control.addComment(openId, videoId, {
        text: 'rep',
        parentCommentId: old.commentId,
        createTime: base + 1,
      });
      const res = await get('business/comment/list/', {
        video_id: videoId,
        comment_ids: [old.commentId, reply.commentId, '7000000000000000001'],
        max_count: 1,
      });
      const found = res.data.comments as { comment_id: string; parent_comment_id?: string }[];
      expect(found.map((c) => c.comment_id).sort()).toEqual(
        [old.commentId, reply.commentId].sort(),
      );
      expect(found.find((c) => c.comment_id === reply.commentId)?.parent_comment_id).toBe(
        old.commentId,
      );
      const tooMany = Array.from({ length: 31 }, (_, i) => `7${String(i).padStart(18, '0')}`);
      expect(
        (await get('business/comment/list/', { video_id: videoId, comment_ids: tooMany })).code,
      ).toBe(40002);
    });

    it('answers 40007 for an unknown video', async () => {
      expect((await get('business/comment/list/', { video_id: '7999999999999999999' })).code).toBe(
        40007,
      );
    });
  });

  describe('replies and moderation', () => {
    let videoId: string;
    let parentId: string;
    beforeEach(() => {
      videoId = sim.control.addVideo(openId, { createTime: base }).itemId;
      parentId = sim.control.addComment(openId, videoId, {
        text: 'first!',
        createTime: base + 1,
      }).commentId;
    });

    it('lists replies of one comment with paging, and 40007 for an unknown one', async () => {
      for (let i = 0; i < 35; i++)
        sim.control.addComment(openId, videoId, {
          text: `r${i}`,
          parentCommentId: parentId,
          createTime: base + 10 + i,
        });
      const page = await get('business/comment/reply/list/', {
        video_id: videoId,
        comment_id: parentId,
        max_count: 30,
      });
      const replies = page.data.comments as { text: string; parent_comment_id: string }[];
      expect(replies).toHaveLength(30);
      expect(replies[0]).toMatchObject({ text: 'r34', parent_comment_id: parentId });
      expect(page.data).toMatchObject({ has_more: true, cursor: 30 });
      const rest = await get('business/comment/reply/list/', {
        video_id: videoId,
        comment_id: parentId,
        cursor: 30,
      });
      expect((rest.data.comments as unknown[]).length).toBe(5);
      const unknown = await get('business/comment/reply/list/', {
        video_id: videoId,
        comment_id: '7123456789012345678',
      });
      expect(unknown.code).toBe(40007);
    });

    it('creates a reply of 1,200 emoji code points and refuses 1,201 or empty', async () => {
      const text150 = '😀'.repeat(1200); // 2,400 UTF-16 units
      const ok = await post('business/comment/reply/create/', {
        video_id: videoId,
        comment_id: parentId,
        text: text150,
      });
      expect(ok.code).toBe(0);
      expect(ok.data).toMatchObject({ video_id: videoId, text: text150 });
      expect(ok.data.comment_id).toMatch(/^7\d{18}$/);
      expect(typeof ok.data.create_time).toBe('number');
      const stored = sim.control.getComment(ok.data.comment_id as string);
      expect(stored).toMatchObject({ owner: true, parentCommentId: parentId, username: 'maker' });
      const tooLong = await post('business/comment/reply/create/', {
        video_id: videoId,
        comment_id: parentId,
        text: '😀'.repeat(1201),
      });
      expect(tooLong.code).toBe(40002);
      expect(
        (
          await post('business/comment/reply/create/', {
            video_id: videoId,
            comment_id: parentId,
            text: '  ',
          })
        ).code,
      ).toBe(40002);
      expect(
        (
          await post('business/comment/reply/create/', {
            video_id: videoId,
            comment_id: '7000000000000000009',
            text: 'x',
          })
        ).code,
      ).toBe(40007);
      expect(sim.control.getComments(openId, videoId)).toHaveLength(2);
    });

    it('creates a top-level comment by the account', async () => {
      const res = await post('business/comment/create/', {
        video_id: videoId,
        text: 'pinned info',
      });
      expect(res.code).toBe(0);
      const list = await get('business/comment/list/', { video_id: videoId });
      expect((list.data.comments as { owner: boolean; text: string }[])[0]).toMatchObject({
        owner: true,
        text: 'pinned info',
      });
    });

    it('hides and unhides idempotently', async () => {
      const body = { video_id: videoId, comment_id: parentId, action: 'HIDE' };
      expect((await post('business/comment/hide/', body)).data).toEqual({});
      expect((await post('business/comment/hide/', body)).code).toBe(0);
      expect(sim.control.getComment(parentId)?.status).toBe('HIDDEN');
      expect((await post('business/comment/hide/', { ...body, action: 'UNHIDE' })).code).toBe(0);
      expect(sim.control.getComment(parentId)?.status).toBe('PUBLIC');
      expect((await post('business/comment/hide/', { ...body, action: 'MAYBE' })).code).toBe(40002);
    });

    it('deletes only the account own comments', async () => {
      expect((await post('business/comment/delete/', { comment_id: parentId })).code).toBe(40001);
      expect(sim.control.getComment(parentId)?.deleted).toBe(false);
      const mine = await post('business/comment/reply/create/', {
        video_id: videoId,
        comment_id: parentId,
        text: 'oops',
      });
      const id = mine.data.comment_id as string;
      expect((await post('business/comment/delete/', { comment_id: id })).data).toEqual({});
      expect(sim.control.getComment(id)?.deleted).toBe(true);
      expect(sim.control.getComments(openId, videoId).map((c) => c.commentId)).toEqual([parentId]);
      expect(sim.control.getComments(openId, videoId, { includeDeleted: true })).toHaveLength(2);
      expect((await post('business/comment/delete/', { comment_id: id })).code).toBe(40007);
    });

    it('refuses write endpoints without comment.list.manage', async () => {
      const readOnly = sim.control.grantTokens(openId, ['comment.list']).accessToken;
      const res = await callSimulator(
        sim,
        'POST',
        'business/comment/reply/create/',
        { business_id: openId, video_id: videoId, comment_id: parentId, text: 'hi' },
        { accessToken: readOnly },
      );
      expect(res.code).toBe(40001);
    });
  });
});
