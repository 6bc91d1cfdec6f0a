/**
 * Where the browser specs (tests/dashboard.spec.ts, tests/mcpApp.spec.ts) find Chromium. On a machine
 * without it they are shown as skipped, with the one command that installs it, rather than failing
 * `npm test`; on CI (CI=true, where .ci/run installs it) a missing browser is an error, so that the specs
 * never stop running there unnoticed. CHROMIUM_PATH points at another binary.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { standIn } from './standIn.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const INSTALL_CHROMIUM = 'sudo apt-get install -y chromium';

export const chromiumMissing = !existsSync(CHROMIUM);

/** The suite title's tail saying why it is skipped ('' when the browser is there). */
export function browserSkipNote(spec: string): string {
  if (!chromiumMissing) return '';
  const why = `Chromium is missing (${CHROMIUM}); ${spec} did not run. Install it with: ${INSTALL_CHROMIUM} (Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium binary`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${why}. On CI the browser specs must run (.ci/run installs Chromium).`);
  }
  process.stderr.write(`\n[skipped] ${why}.\n\n`);
  return ` (SKIPPED: ${why})`;
}

/** Where the browser specs put their screenshots. */
export const SHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

/** A full-page screenshot of `page` as test-results/screenshots/<name>.png. */
export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Headless Chromium for the calling block (or file), launched before its tests; nothing when it is missing. */
export function useBrowser(): Browser {
  const browser = standIn<Browser>('the browser');
  beforeAll(async () => {
    if (chromiumMissing) return;
    await mkdir(SHOTS, { recursive: true });
    browser.set(
      await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      }),
    );
  });
  afterAll(async () => {
    await browser.get()?.close();
    browser.set(undefined);
  });
  return browser.target;
}
