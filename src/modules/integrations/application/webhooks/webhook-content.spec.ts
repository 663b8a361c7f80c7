import { parseCommentDelivery, textDigest } from './webhook-content';

describe('parseCommentDelivery', () => {
  it('keeps 19-digit ids sent as JSON numbers exact', () => {
    const content = '{"comment_id":7110150495453840130,"video_id":7109065174526479622,"parent_comment_id":7110150495453840999,"comment_type":"reply","comment_action":"insert","timestamp":1700000000,"text":"hi"}';
    const body = JSON.stringify({ client_key: 'k', event: 'comment.update', create_time: 1700000000, user_openid: 'open-1', content });
    expect(parseCommentDelivery(body)).toEqual({
      userOpenId: 'open-1',
      videoId: '7109065174526479622',
      commentId: '7110150495453840130',
      parentCommentId: '7110150495453840999',
      action: 'insert',
      text: 'hi',
    });
  });
  it('reads the text (2026-06-18) and gives null when a delivery has none', () => {
    const content =
      '{"comment_id":7110150495453840130,"video_id":7109065174526479622,"comment_action":"insert","text":"😀 \\u0000 x"}';
    expect(
      parseCommentDelivery(JSON.stringify({ event: 'comment.update', user_openid: 'o', content }))
        ?.text,
    ).toBe('😀 \u0000 x');
    const old = JSON.stringify({
      comment_id: '7110150495453840130',
      video_id: '7109065174526479622',
      comment_action: 'insert',
    });
    expect(
      parseCommentDelivery(
        JSON.stringify({ event: 'comment.update', user_openid: 'o', content: old }),
      )?.text,
    ).toBeNull();
  });
  it('digests a text to 16 hex characters, equal for equal texts only', () => {
    expect(textDigest('where can I buy this?')).toMatch(/^[0-9a-f]{16}$/);
    expect(textDigest('a')).toBe(textDigest('a'));
    expect(textDigest('a')).not.toBe(textDigest('b'));
  });
  it('accepts string ids and no parent', () => {
    const content = JSON.stringify({ comment_id: '7110150495453840130', video_id: '7109065174526479622', comment_action: 'delete' });
    expect(parseCommentDelivery(JSON.stringify({ event: 'comment.update', user_openid: 'o', content }))).toMatchObject({ parentCommentId: null, action: 'delete' });
  });
  it('refuses other events and broken content', () => {
    expect(parseCommentDelivery('not json')).toBeNull();
    expect(parseCommentDelivery(JSON.stringify({ event: 'video.publish', user_openid: 'o', content: '{}' }))).toBeNull();
    expect(parseCommentDelivery(JSON.stringify({ event: 'comment.update', user_openid: 'o', content: '{"comment_id":1.5}' }))).toBeNull();
    expect(parseCommentDelivery(JSON.stringify({ event: 'comment.update', user_openid: 'o', content: 'nope' }))).toBeNull();
  });
});
