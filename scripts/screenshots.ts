/**
 * `npm run docs:screenshots`: PNGs of each console page in docs/screenshots/, taken the way the
 * browser tests see them (test/support/browser.ts, the real service in sandbox mode as a process,
 * a fresh database): sign-in, the TikTok Integration page (desktop and 360 px), the Social Media
 * area with a thread open, and the audit view. Needs the built console (`npm run build:web`).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../src/shared/database/embedded-postgres';
import { assertConsoleBuilt, launchBrowser } from '../test/support/browser';
import { ServiceProcess } from '../test/support/service-process';

const OUT = path.resolve(__dirname, '..', 'docs', 'screenshots');
const POLICY_BUTTON = 'I have read and accept all policies above for both TikTok and Echo Global';

async function signInAs(
  page: Page,
  base: string,
  sub: string,
  role: string,
  at: string,
): Promise<void> {
  await page.goto(base + at);
  await page.getByLabel('Tenant').fill('acme');
  await page.getByLabel('User id').fill(sub);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in as' }).click();
}

async function main(): Promise<void> {
  assertConsoleBuilt();
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'echo-screenshots-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const svc = new ServiceProcess({
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info', // the `ready` line is an info line
    SANDBOX_COMMENT_INTERVAL_MS: '0',
    SYNC_INTERVAL_SECONDS: '2',
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '1',
  });
  await svc.start(120_000);
  const base = `http://localhost:${port}`;
  const browser = await launchBrowser();
  /** The top of the page, at most `height` px of it (a whole long page would make a heavy PNG). */
  const shot = async (page: Page, name: string, height = 800) => {
    const width = page.viewportSize()!.width;
    await page.screenshot({
      path: path.join(OUT, `${name}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width, height },
    });
    console.log(`wrote docs/screenshots/${name}.png`);
  };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();

    await page.goto(`${base}/admin/integrations/tiktok`);
    await page.getByRole('heading', { name: 'Sign in to Echo' }).waitFor();
    await shot(page, 'sign-in', 700);

    // an admin connects the demo account (policies, TikTok's consent page) and shares it
    await signInAs(page, base, 'ada', 'admin', '/admin/integrations/tiktok');
    await page.getByRole('button', { name: POLICY_BUTTON, exact: true }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/admin\/integrations\/tiktok\?connected=/);
    const sets = page.getByRole('region', { name: 'Permission sets' });
    await sets.getByLabel('New permission set name').fill('Support team');
    await sets.getByRole('button', { name: 'Create permission set' }).click();
    await sets.getByRole('heading', { name: 'Support team' }).waitFor();
    await page
      .getByRole('region', { name: 'Videos' })
      .getByRole('list', { name: 'Videos, newest first' })
      .getByRole('listitem')
      .first()
      .waitFor({ timeout: 60_000 });
    await page.getByText('Status: Active').first().waitFor();
    await shot(page, 'integration-page', 1400);

    await page.setViewportSize({ width: 360, height: 780 });
    await shot(page, 'integration-page-360px', 1500);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Social Media' })
      .click();
    await page.getByLabel('Show').selectOption('all');
    const first = page
      .getByRole('list', { name: 'Comments, newest first' })
      .getByRole('button')
      .first();
    await first.waitFor({ timeout: 60_000 });
    await first.click();
    await page
      .getByRole('region', { name: 'Thread' })
      .getByLabel(/^Reply to /)
      .waitFor();
    await shot(page, 'social-thread', 900);

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit' })
      .click();
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^The log is intact/ })
      .waitFor();
    await shot(page, 'audit', 1000);
    await context.close();
  } finally {
    await browser.close();
    await svc.signal('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
