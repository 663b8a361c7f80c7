import { TikTokShapeError, mapAccount, mapComment, mapCreated, mapTokenSet, mapVideo, mapWebhooks, toId } from './tiktok-mappers';
import { parseJsonLossless } from './lossless-json';

describe('TikTok answer mapping', () => {
  it('maps a comment from PT\'s sample, create_time as a string, reply_list parented', () => {
    const raw = parseJsonLossless(`{"comment_id":7110150495453840130,"video_id":"7109065174526479622","text":"nice",
      "create_time":"1655461098","likes":0,"replies":11,"liked":false,"pinned":false,"owner":false,"status":"PUBLIC",
      "username":"phoenix","display_name":"P","profile_image":"https://p","unique_identifier":"u1",
      "reply_list":[{"comment_id":"7110150495453840131","video_id":"7109065174526479622","text":"r","create_time":1655461099,"status":"HIDDEN"}]}`);
    const c = mapComment(raw);
    expect(c).toMatchObject({
      commentId: '7110150495453840130',
      videoId: '7109065174526479622',
      parentCommentId: null,
      createTime: new Date(1_655_461_098_000),
      replies: 11,
      status: 'PUBLIC',
      profileImage: 'https://p',
      uniqueIdentifier: 'u1',
    });
    expect(c.replyList?.[0]).toMatchObject({
      commentId: '7110150495453840131',
      parentCommentId: '7110150495453840130',
      createTime: new Date(1_655_461_099_000),
      status: 'HIDDEN',
      profileImage: null,
      uniqueIdentifier: null,
    });
  });

  it('accepts a create answer with a numeric create_time', () => {
    expect(mapCreated({ comment_id: '7', video_id: '8', create_time: 1655461098, text: 't' }).createTime).toEqual(new Date(1_655_461_098_000));
  });

  it('refuses an id that is missing or not exact', () => {
    expect(() => toId(undefined, 'comment_id')).toThrow(TikTokShapeError);
    expect(() => toId(2 ** 53 + 2, 'comment_id')).toThrow(TikTokShapeError);
    expect(toId(42, 'x')).toBe('42');
  });

  it('computes token expiry from the answer, relative to when the request left', () => {
    const t = mapTokenSet(
      { access_token: 'act.a', refresh_token: 'rft.b', open_id: '-000x', scope: 'user.info.basic,comment.list', expires_in: 86400, refresh_token_expires_in: 31527314 },
      1_000,
    );
    expect(t).toEqual({
      accessToken: 'act.a',
      refreshToken: 'rft.b',
      openId: '-000x',
      scopes: ['user.info.basic', 'comment.list'],
      accessExpiresAt: new Date(1_000 + 86_400_000),
      refreshExpiresAt: new Date(1_000 + 31_527_314_000),
    });
    expect(() => mapTokenSet({ access_token: 'act.a', refresh_token: 'rft.b', open_id: 'x', scope: '' }, 0)).toThrow(TikTokShapeError);
  });

  it('maps a missing username to null and only the video fields present', () => {
    expect(mapAccount({ display_name: 'D' })).toEqual({ username: null, displayName: 'D', profileImage: null, isBusinessAccount: null, followersCount: null });
    expect(mapVideo({ item_id: '7109065174526479622', likes: 3 })).toEqual({ itemId: '7109065174526479622', likes: 3 });
  });

  it('maps is_ad to isAd only when TikTok says true or false', () => {
    expect(mapVideo({ item_id: '7109065174526479622', is_ad: true })).toEqual({
      itemId: '7109065174526479622',
      isAd: true,
    });
    expect(mapVideo({ item_id: '7109065174526479622', is_ad: false })).toEqual({
      itemId: '7109065174526479622',
      isAd: false,
    });
    expect(mapVideo({ item_id: '7109065174526479622' })).not.toHaveProperty('isAd');
    expect(mapVideo({ item_id: '7109065174526479622', is_ad: null })).not.toHaveProperty('isAd');
    expect(mapVideo({ item_id: '7109065174526479622', is_ad: 'true' })).not.toHaveProperty('isAd');
  });

  it('reads webhook subscriptions; an empty callback means none', () => {
    expect(mapWebhooks({ app_id: 'a', event_type: 'COMMENT', callback_url: '' })).toEqual([]);
    expect(mapWebhooks({ event_type: 'COMMENT', callback_url: 'https://x/' })).toEqual([{ eventType: 'COMMENT', callbackUrl: 'https://x/' }]);
  });
});
