import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '..', '..');
export const CONSOLE_DIR = path.join(ROOT, 'dist', 'web');

/** The built console must exist: `npm test` builds it first (`npm run build:web`). */
export function assertConsoleBuilt(): void {
  if (!existsSync(path.join(CONSOLE_DIR, '.vite', 'manifest.json'))) {
    throw new Error(
      `the console is not built in ${CONSOLE_DIR}: run "npm run build:web" (npm test does)`,
    );
  }
}

/**
 * Headless Chromium from the @sparticuz/chromium package (the binary ships inside it: nothing is
 * downloaded at install time), driven by playwright-core. Background networking is off: this
 * machine has no network, and the console needs none beyond the service.
 */
export async function launchBrowser(): Promise<Browser> {
  // The package's arguments are tuned for AWS Lambda; three of them must go here: a single process
  // dies with the first closed context, and the page's web security (same-origin rules, mixed
  // content) is part of what the tests check.
  const dropped = new Set([
    '--single-process',
    '--disable-web-security',
    '--allow-running-insecure-content',
  ]);
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [
      ...chromium.args.filter((a) => !dropped.has(a)),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    headless: true,
  });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the debugging protocol, so the page's CSP, which
 * forbids inline scripts, stays in force) and returns the serious and critical violations.
 */
export async function seriousA11yViolations(
  page: Page,
): Promise<{ id: string; help: string; targets: string[] }[]> {
  await page.evaluate(AXE_SOURCE);
  // a string: this code runs in the page, whose globals (axe, document) the test's tsconfig does not know
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
}
