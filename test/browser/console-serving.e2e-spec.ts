import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { assertConsoleBuilt, CONSOLE_DIR } from '../support/browser';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

/** The built console under /admin: caching, deep links, 404s elsewhere, security headers, size. */
describe('the console served under /admin', () => {
  let t: TestApp;
  beforeAll(async () => {
    assertConsoleBuilt();
    t = await startTestApp({ env: { WORKERS: 'false' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const assets = () => readdirSync(path.join(CONSOLE_DIR, 'assets'));

  it('serves index.html without a bearer, never cached, with a CSP that allows only this origin and no inline script', async () => {
    const res = await request(t.url).get('/admin/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // every script of the page is a file from /admin/assets/, none inline
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, inline] of scripts) {
      expect(attrs).toMatch(/src="\/admin\/assets\/[^"]+\.js"/);
      expect(inline.trim()).toBe('');
    }
    await request(t.url)
      .get('/admin')
      .expect(200)
      .expect('content-type', /text\/html/);
  });

  it('answers index.html for any unknown path under /admin/ (deep links, the OAuth return with its query)', async () => {
    const index = readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
    for (const p of ['/admin/integrations/tiktok?connected=abc', '/admin/social', '/admin/a/b/c']) {
      const res = await request(t.url).get(p).expect(200);
      expect([p, res.text]).toEqual([p, index]);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it("caches hashed assets for a year, immutable; an unknown asset is the API's JSON 404", async () => {
    for (const name of assets()) {
      const res = await request(t.url).get(`/admin/assets/${name}`).expect(200);
      expect([name, res.headers['cache-control']]).toEqual([
        name,
        'public, max-age=31536000, immutable',
      ]);
    }
    const missing = await request(t.url).get('/admin/assets/missing-0000.js').expect(404);
    expect(missing.body.error).toEqual(
      expect.objectContaining({ code: 'NOT_FOUND', requestId: expect.any(String) }),
    );
    const traversal = await request(t.url).get('/admin/assets/..%2f..%2fpackage.json').expect(404);
    expect(traversal.body.error.code).toBe('NOT_FOUND');
  });

  it('unknown paths outside /admin stay JSON 404s, and the API still wants its bearer', async () => {
    for (const p of ['/nope', '/administrator', '/api/v1/nope']) {
      const res = await request(t.url).get(p).expect(404);
      expect([p, res.body.error?.code]).toEqual([p, 'NOT_FOUND']);
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
    await request(t.url).get('/api/v1/integrations/tiktok').expect(401);
  });

  it('the initial JavaScript (the entry and what it imports statically) is under 200 KB gzipped', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(CONSOLE_DIR, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, ManifestChunk>;
    const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
    expect(entry).toBeDefined();
    const files = new Set<string>();
    const walk = (key: string) => {
      const chunk = manifest[key]!;
      if (files.has(chunk.file)) return;
      files.add(chunk.file);
      for (const i of chunk.imports ?? []) walk(i);
    };
    walk(entry![0]);
    const gzipped = [...files].reduce(
      (sum, f) => sum + gzipSync(readFileSync(path.join(CONSOLE_DIR, f))).length,
      0,
    );
    expect(gzipped).toBeGreaterThan(10_000); // the test reads real bundles
    expect(gzipped).toBeLessThan(200 * 1024);
  });
});
