import { isTikTokHost, parseTikTokUrl } from './tiktok-url';

const ID = '7109065174526479622';

describe('parseTikTokUrl', () => {
  it.each([
    `https://www.tiktok.com/@scout2015/video/${ID}`,
    `https://tiktok.com/@scout2015/video/${ID}`,
    `https://m.tiktok.com/@scout2015/video/${ID}`,
    `https://www.tiktok.com/@scout2015/video/${ID}?is_from_webapp=1&sender_device=pc`,
    `https://www.tiktok.com/@scout2015/video/${ID}/?_r=1&_t=8abc#frag`,
    `https://www.tiktok.com/@user.name_1/photo/${ID}`,
    `https://m.tiktok.com/v/${ID}.html`,
    `https://m.tiktok.com/v/${ID}.html?lang=en`,
    `https://www.tiktok.com/embed/${ID}`,
    `https://www.tiktok.com/embed/v2/${ID}`,
    `www.tiktok.com/@scout2015/video/${ID}`,
    `  https://WWW.TIKTOK.COM/@scout2015/video/${ID}  `,
    `http://www.tiktok.com/@scout2015/video/${ID}`,
  ])('finds the id in %s', (url) => {
    expect(parseTikTokUrl(url)).toEqual({ kind: 'video', videoId: ID });
  });

  it('accepts 15–20 digit ids', () => {
    expect(parseTikTokUrl('https://www.tiktok.com/@a/video/674845124026442')).toEqual({ kind: 'video', videoId: '674845124026442' });
    expect(parseTikTokUrl('https://www.tiktok.com/@a/video/12345678901234567890')).toMatchObject({ kind: 'video' });
    expect(parseTikTokUrl('https://www.tiktok.com/@a/video/12345678901234')).toBeNull();
    expect(parseTikTokUrl('https://www.tiktok.com/@a/video/123456789012345678901')).toBeNull();
  });

  it.each(['https://vm.tiktok.com/ZMabc123/', 'https://vt.tiktok.com/ZSxyz789/', 'https://www.tiktok.com/t/ZTR1abc/', 'vm.tiktok.com/ZMabc123'])(
    'recognises the short link %s',
    (url) => {
      expect(parseTikTokUrl(url)?.kind).toBe('short');
    },
  );

  it.each([
    `https://www.tiktok.com.evil.com/@a/video/${ID}`,
    `https://evil.com/@a/video/${ID}`,
    `https://eviltiktok.com/@a/video/${ID}`,
    `https://www.youtube.com/watch?v=${ID}`,
    `ftp://www.tiktok.com/@a/video/${ID}`,
    `javascript:alert(1)`,
    `https://user:pw@www.tiktok.com/@a/video/${ID}`,
    `https://www.tiktok.com:8443/@a/video/${ID}`,
    `https://www.tiktok.com/@a`,
    `https://www.tiktok.com/@a/video/notanid`,
    `https://www.tiktok.com/@a/live/${ID}`,
    `https://vm.tiktok.com/`,
    `https://vm.tiktok.com/a/b/c`,
    `not a url`,
    '',
  ])('refuses %s', (url) => {
    expect(parseTikTokUrl(url)).toBeNull();
  });

  it('knows TikTok hosts', () => {
    expect(isTikTokHost('vm.tiktok.com')).toBe(true);
    expect(isTikTokHost('WWW.TikTok.com')).toBe(true);
    expect(isTikTokHost('tiktok.com.evil.com')).toBe(false);
  });
});
