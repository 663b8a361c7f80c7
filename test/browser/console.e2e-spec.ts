import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { freePort } from '@shared/database/embedded-postgres';
import { assertConsoleBuilt, launchBrowser, seriousA11yViolations } from '../support/browser';
import { ServiceProcess } from '../support/service-process';
import { eventually } from '../support/eventually';

const POLICY_BUTTON = 'I have read and accept all policies above for both TikTok and Echo Global';

/**
 * The console in a real browser against the real service in sandbox mode (`npm start` with no
 * TikTok settings): the embedded database, the simulator's consent page, generated development
 * secrets (so "Sign in as" exists). The console is opened on `localhost`, the host of the OAuth
 * redirect URI, so that the state cookie set by `connect` comes back to the callback.
 */
describe('the console in a browser (sandbox mode)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echo-console-'));
  chmodSync(dataDir, 0o755);
  let svc: ServiceProcess;
  let browser: Browser;
  let base: string;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    assertConsoleBuilt();
    const port = await freePort();
    svc = new ServiceProcess({
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      SANDBOX_COMMENT_INTERVAL_MS: '0',
      SYNC_INTERVAL_SECONDS: '2',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1',
    });
    await svc.start();
    base = `http://localhost:${port}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.signal('SIGTERM');
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text()))
        cspErrors.push(m.text());
    });
    return { context, page };
  }

  async function signInAs(
    page: Page,
    sub: string,
    role: 'admin' | 'agent' | 'auditor',
    at = '/admin/integrations/tiktok',
  ): Promise<void> {
    await page.goto(base + at);
    await page.getByRole('heading', { name: 'Sign in to Echo' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Access token').waitFor();
    await page.getByRole('heading', { name: /Sign in as/ }).waitFor();
    await page.getByLabel('Tenant').fill('acme');
    await page.getByLabel('User id').fill(sub);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in as' }).click();
  }

  /** The comment id of the next thread the page reads, from the service's answer it receives. */
  const nextThreadRead = (page: Page): Promise<string> =>
    page
      .waitForResponse(
        (r) =>
          r.request().method() === 'GET' &&
          /^\/api\/v1\/comments\/[0-9a-f-]{36}$/.test(new URL(r.url()).pathname),
      )
      .then((r) => new URL(r.url()).pathname.split('/').pop()!);

  const token = async (sub: string, role: string): Promise<string> =>
    (
      await request(svc.url)
        .post('/api/v1/dev/token')
        .send({ tenant: 'acme', sub, roles: [role] })
        .expect(201)
    ).body.token;

  it('an admin signs in, accepts the policies, allows on TikTok, lands back connected, and shares the account with a permission set and an agent', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada', 'admin');
    await page.getByRole('heading', { name: 'TikTok Integration', level: 1 }).waitFor();

    // the four policies, each a link with its version
    const policies = page.getByRole('region', { name: 'Policies' });
    await policies.getByRole('list').waitFor();
    for (const title of [/TikTok.*Terms/i, /TikTok.*Privacy/i, /Echo.*Terms/i, /Echo.*Privacy/i]) {
      await expect(policies.getByRole('link', { name: title }).count()).resolves.toBe(1);
    }
    await expect(policies.getByText(/version \d{4}-\d{2}-\d{2}/).count()).resolves.toBe(4);
    await page
      .getByRole('region', { name: 'Existing Integrations' })
      .getByText('No TikTok account is connected yet')
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // accept: the browser itself calls connect (the state cookie lands here) and goes to TikTok
    await page.getByRole('button', { name: POLICY_BUTTON, exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/admin\/integrations\/tiktok\?connected=/);
    const connectedId = new URL(page.url()).searchParams.get('connected');
    expect(new URL(page.url()).searchParams.get('error')).toBeNull();
    await page.getByRole('status').filter({ hasText: '@echo.demo is connected' }).waitFor();

    const existing = page.getByRole('region', { name: 'Existing Integrations' });
    const row = existing
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: '@echo.demo' }) });
    await row.getByText('Status: Active').waitFor();
    await row.getByRole('button', { name: 'Disconnect @echo.demo' }).waitFor();
    await row.getByRole('button', { name: 'Sync now @echo.demo' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // a permission set with the account (from the account's row) and an agent
    const sets = page.getByRole('region', { name: 'Permission sets' });
    await sets.getByLabel('New permission set name').fill('Support team');
    await sets.getByRole('button', { name: 'Create permission set' }).click();
    await sets.getByRole('heading', { name: 'Support team' }).waitFor();
    await row.getByLabel('Permission set for @echo.demo').selectOption({ label: 'Support team' });
    await row.getByRole('button', { name: 'Add to permission set' }).click();
    await sets
      .getByRole('list', { name: 'Accounts in Support team' })
      .getByText('@echo.demo')
      .waitFor();
    await sets.getByLabel('User id to add to Support team').fill('alice');
    await sets.getByRole('button', { name: 'Add member' }).click();
    await sets.getByRole('list', { name: 'Members of Support team' }).getByText('alice').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // what the page shows is what the service stored
    const stored = await request(svc.url)
      .get('/api/v1/permission-sets')
      .set('authorization', `Bearer ${await token('ada', 'admin')}`)
      .expect(200);
    expect(stored.body.items).toEqual([
      expect.objectContaining({
        name: 'Support team',
        integrationIds: [connectedId],
        memberIds: ['alice'],
      }),
    ]);

    // the videos area shows the account's videos (the demo account's backfill brings them)
    const videos = page.getByRole('region', { name: 'Videos' });
    await videos
      .getByRole('list', { name: 'Videos, newest first' })
      .getByRole('listitem')
      .first()
      .waitFor({ timeout: 30_000 });

    // "Add video by URL" answers in plain words: a video already there, and an address that is not TikTok's
    const add = page.getByRole('region', { name: 'Add video by URL' });
    const known = await videos
      .getByRole('list', { name: 'Videos, newest first' })
      .getByRole('link')
      .first()
      .getAttribute('href');
    expect(known).toMatch(/^https:\/\/www\.tiktok\.com\//);
    await add.getByLabel('TikTok account').selectOption({ label: '@echo.demo' });
    await add.getByLabel('Video URL').fill(known!);
    await add.getByRole('button', { name: 'Add video' }).click();
    await add
      .getByRole('status')
      .filter({ hasText: /^Already there: / })
      .waitFor();
    await add.getByLabel('Video URL').fill('https://example.com/@echo.demo/video/123');
    await add.getByRole('button', { name: 'Add video' }).click();
    await add.getByRole('alert').filter({ hasText: 'That is not a TikTok video URL' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('an agent opening the Integration page sees the shared account and no admin action', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'alice', 'agent');
    await page.getByRole('heading', { name: 'TikTok Integration', level: 1 }).waitFor();
    await page.getByRole('heading', { name: '@echo.demo' }).waitFor();
    expect(await page.getByRole('button', { name: POLICY_BUTTON }).count()).toBe(0);
    for (const name of [
      /^Reconnect/,
      /^Sync now/,
      /^Disconnect/,
      'Add to permission set',
      'Create permission set',
    ]) {
      expect([String(name), await page.getByRole('button', { name }).count()]).toEqual([
        String(name),
        0,
      ]);
    }
    expect(await page.getByRole('region', { name: 'Permission sets' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Policies' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('the agent opens the Social Media area, filters unanswered, opens a comment and replies once (a double click posts one reply), which shows as sent', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'alice', 'agent');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Social Media' })
      .click();
    await page.getByRole('heading', { name: 'Social Media', level: 1 }).waitFor();
    await page.getByLabel('Show').selectOption('unanswered');
    const list = page.getByRole('list', { name: 'Comments, newest first' });
    const first = list.getByRole('button').first();
    await first.waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    const threadRead = nextThreadRead(page);
    await first.click();
    const thread = page.getByRole('region', { name: 'Thread' });
    const box = thread.getByLabel(/^Reply to @/);
    await box.waitFor();
    const commentId = await threadRead;
    const text = `Thanks from the console ${Date.now()}`;
    await box.fill(text);
    await thread.getByText(`${1200 - text.length} of 1200 characters left`).waitFor();
    await thread.getByRole('button', { name: 'Reply', exact: true }).dblclick();
    const reply = thread
      .getByRole('list', { name: 'Replies' })
      .getByRole('listitem')
      .filter({ hasText: text });
    await reply.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    // exactly one reply with that text is stored (and was sent to TikTok)
    const stored = await request(svc.url)
      .get(`/api/v1/comments/${commentId}`)
      .set('authorization', `Bearer ${await token('alice', 'agent')}`)
      .expect(200);
    const ours = stored.body.replies.filter((r: { text: string }) => r.text === text);
    expect(ours).toEqual([
      expect.objectContaining({
        fromAccount: true,
        delivery: expect.objectContaining({ state: 'sent' }),
      }),
    ]);
    // and TikTok (the simulator) received it exactly once, the double click notwithstanding
    const { openId } = await demoVideo();
    const { videos } = await owner('get', `accounts/${openId}/videos`);
    let atTikTok = 0;
    for (const v of videos as { videoId: string }[]) {
      const { comments } = await owner('get', `videos/${v.videoId}/comments`);
      atTikTok += (comments as { text: string; fromAccount: boolean }[]).filter(
        (c) => c.fromAccount && c.text === text,
      ).length;
    }
    expect(atTikTok).toBe(1);
    await context.close();
  });

  /** The sandbox simulator's owner actions (`/sandbox/api/...`), as the account owner in the TikTok app. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the simulator's JSON, read field by field
  async function owner(method: 'get' | 'post', route: string, body?: object): Promise<any> {
    const control = new URL(svc.sandboxControl);
    const r = await request(control.origin)[method](`/sandbox/api/${route}`).send(body);
    expect([route, r.status]).toEqual([
      route,
      method === 'get' ? 200 : r.status < 300 ? r.status : 201,
    ]);
    return r.body;
  }

  /** The demo account's open id and its newest listed video at the simulator. */
  async function demoVideo(): Promise<{ openId: string; videoId: string }> {
    const { accounts } = await owner('get', 'accounts');
    const openId = accounts.find((a: { username: string }) => a.username === 'echo.demo').openId;
    const { videos } = await owner('get', `accounts/${openId}/videos`);
    return { openId, videoId: videos.find((v: { listed: boolean }) => v.listed).videoId };
  }

  async function openSocial(page: Page): Promise<void> {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Social Media' })
      .click();
    await page.getByRole('heading', { name: 'Social Media', level: 1 }).waitFor();
  }

  it('an admin adds an unlisted video by its URL: it shows under Videos, added by URL', async () => {
    const { openId } = await demoVideo();
    const caption = `Unlisted teaser ${Date.now()}`;
    const { video } = await owner('post', `accounts/${openId}/videos`, { caption, listed: false });
    expect(video.listed).toBe(false);
    const { context, page } = await newPage();
    await signInAs(page, 'ada', 'admin');
    const add = page.getByRole('region', { name: 'Add video by URL' });
    await add.getByLabel('TikTok account').selectOption({ label: '@echo.demo' });
    await add.getByLabel('Video URL').fill(video.shareUrl);
    await add.getByRole('button', { name: 'Add video' }).click();
    await add
      .getByRole('status')
      .filter({ hasText: `Added: the video “${caption}”` })
      .waitFor();
    const row = page
      .getByRole('region', { name: 'Videos' })
      .getByRole('list', { name: 'Videos, newest first' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: caption }) });
    await row.getByText(/added by URL/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it("a comment posted at TikTok appears in the agent's open Social page without a reload", async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'alice', 'agent');
    await openSocial(page);
    await page.getByLabel('Show').selectOption('all');
    const list = page.getByRole('list', { name: 'Comments, newest first' });
    await list.getByRole('button').first().waitFor({ timeout: 30_000 });
    // a marker in the page's window: a reload would drop it
    await page.evaluate('window.__stillThisPage = true');
    const { videoId } = await demoVideo();
    const text = `Live from a fan ${Date.now()}`;
    await owner('post', `videos/${videoId}/comments`, { text, username: 'live_fan' });
    // first in Echo (the webhook or the sync brings it; slow on a loaded machine), then in the page
    const agent = await token('alice', 'agent');
    await eventually(
      async () => {
        const r = await request(svc.url)
          .get(`/api/v1/comments?q=${encodeURIComponent(text)}`)
          .set('authorization', `Bearer ${agent}`)
          .expect(200);
        expect(r.body.items).toHaveLength(1);
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await list.getByRole('button').filter({ hasText: text }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.__stillThisPage === true')).toBe(true);
    await context.close();
  });

  it('the agent moves with j/k, replies with r and Ctrl+Enter, deletes the reply after confirming, closes with Esc, and hides then unhides a comment', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'alice', 'agent');
    await openSocial(page);
    await page.getByLabel('Show').selectOption('all');
    const list = page.getByRole('list', { name: 'Comments, newest first' });
    const fans = list.getByRole('button').filter({ hasNotText: 'The account' });
    await list.getByRole('button').nth(1).waitFor({ timeout: 30_000 });
    const buttons = list.getByRole('button');
    const thread = page.getByRole('region', { name: 'Thread' });

    await page.keyboard.press('j');
    await expect(buttons.nth(0).getAttribute('aria-current')).resolves.toBe('true');
    await page.keyboard.press('j');
    await expect(buttons.nth(1).getAttribute('aria-current')).resolves.toBe('true');
    await expect(buttons.nth(0).getAttribute('aria-current')).resolves.toBeNull();
    await page.keyboard.press('k');
    await expect(buttons.nth(0).getAttribute('aria-current')).resolves.toBe('true');

    // open a fan's comment, then r: the reply box has the focus; j typed there is a letter
    await fans.first().click();
    const box = thread.getByLabel(/^Reply to @/);
    await box.waitFor();
    await page.keyboard.press('r');
    // a string: it runs in the page, whose globals the test's tsconfig does not know
    await expect(
      page.evaluate("document.activeElement?.tagName + ':' + document.activeElement?.id"),
    ).resolves.toBe(`TEXTAREA:${await box.getAttribute('id')}`);
    const text = `Keyboard reply j k ${Date.now()}`;
    await page.keyboard.type(text);
    await expect(box.inputValue()).resolves.toBe(text);
    await page.keyboard.press('Control+Enter');
    const reply = thread
      .getByRole('list', { name: 'Replies' })
      .getByRole('listitem')
      .filter({ hasText: text });
    await reply.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Delete (own replies only) asks first
    await reply.getByRole('button', { name: 'Delete' }).click();
    const confirm = reply.getByRole('group', { name: 'Confirm deleting this reply' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await reply.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Yes, delete the reply' }).click();
    await thread
      .getByRole('list', { name: 'Replies' })
      .getByText(text)
      .waitFor({ state: 'detached', timeout: 30_000 });
    // a fan's comment has none
    expect(await thread.getByRole('article').getByRole('button', { name: 'Delete' }).count()).toBe(
      0,
    );

    // hide, then unhide: the thread says so each time
    await thread.getByRole('button', { name: 'Hide', exact: true }).click();
    await thread.getByText(/hidden from the public/).waitFor();
    await thread.getByRole('button', { name: 'Unhide', exact: true }).click();
    await thread.getByRole('button', { name: 'Hide', exact: true }).waitFor();
    expect(await thread.getByText(/hidden from the public/).count()).toBe(0);

    // Esc closes the thread, even from the reply box
    await box.focus();
    await page.keyboard.press('Escape');
    await thread.getByText('Open a comment to read its thread and reply.').waitFor();
    await context.close();
  });

  it('the agent posts a top-level comment on a video chosen in the filters', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'alice', 'agent');
    await openSocial(page);
    await page.getByLabel('Show').selectOption('all');
    await page.getByLabel('Account').selectOption({ label: '@echo.demo' });
    const video = page.getByLabel('Video');
    await video.locator('option').nth(1).waitFor({ state: 'attached' });
    await video.selectOption({ index: 1 });
    const box = page.getByRole('region', { name: 'Comment on this video' });
    const text = `A word from the account ${Date.now()}`;
    await box.getByLabel('New comment from the account').fill(text);
    await box.getByRole('button', { name: 'Comment', exact: true }).click();
    await box
      .getByRole('status')
      .filter({ hasText: /^Comment (posted|on its way)/ })
      .waitFor();
    await page
      .getByRole('list', { name: 'Comments, newest first' })
      .getByRole('button')
      .filter({ hasText: text })
      .waitFor({ timeout: 30_000 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('an auditor verifies the chain and sees a checkpoint signature checked in the page; the Integration page refuses them in words', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'carol', 'auditor', '/admin/audit');
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^The log is intact: \d+ events checked/ })
      .waitFor();
    const checkpoints = page.getByRole('region', { name: 'Signed checkpoints' });
    await eventually(
      async () => {
        await checkpoints.getByRole('button', { name: 'Check again' }).click();
        await checkpoints
          .getByText('signature valid', { exact: true })
          .first()
          .waitFor({ timeout: 2_000 });
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(await checkpoints.getByText('signature NOT valid').count()).toBe(0);
    await page
      .getByRole('list', { name: 'Events, oldest first' })
      .getByText(/tiktok\.policies\.accepted/)
      .first()
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`${base}/admin/integrations/tiktok`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Your role does not allow this page' })
      .waitFor();
    expect(await page.getByRole('button', { name: POLICY_BUTTON }).count()).toBe(0);
    await context.close();
  });

  it('back from TikTok with ?error=: the page says what happened and what to do', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada', 'admin', '/admin/integrations/tiktok?error=ACCESS_DENIED');
    await page.getByRole('alert').filter({ hasText: 'nothing was connected' }).waitFor();
    expect(
      await page.getByRole('alert').filter({ hasText: 'choose Allow on TikTok' }).count(),
    ).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('no page broke its Content Security Policy', () => {
    expect(cspErrors).toEqual([]);
  });
});
