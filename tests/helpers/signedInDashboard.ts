/**
 * The built server with sign-in on against a real OpenID provider on loopback (whose interaction signs in
 * whoever `signIn` names), for the browser specs of the dashboard and the web studio: started before the
 * calling block's tests, stopped after them, with every browser context it opened.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Emulator } from './emulator.js';
import { startTestIdp, type TestIdp, type TestUser } from './oidcProvider.js';
import { freePort, signInEnv, startServer } from './signInServer.js';

export interface SignedInDashboard {
  /** http://127.0.0.1:<port>, once started. */
  readonly origin: string;
  /** A fresh browser context (no cookies) that opens /ui as `who`, through the provider's real redirects. */
  signIn(who: TestUser): Promise<{ page: Page; status: number | undefined }>;
  /** A personal access token made on the settings page of `page`'s person (shown once). */
  tokenOf(page: Page, name?: string): Promise<string>;
}

export function useSignedInDashboard(options: {
  emulator: Emulator;
  browser: Browser;
  allowedEmails: string;
  adminEmails: string;
  viewport?: { width: number; height: number };
}): SignedInDashboard {
  let idp: TestIdp | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let origin = '';
  let user: TestUser = 'alice';
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({ redirectUris: [`${origin}/api/auth/callback/oidc`], currentUser: () => user });
    server = await startServer(port, {
      GEMINI_BASE_URL: options.emulator.url,
      ...signInEnv(idp),
      STUDIO_ALLOWED_EMAILS: options.allowedEmails,
      STUDIO_ADMIN_EMAILS: options.adminEmails,
    });
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await server?.stop();
    await idp?.close();
  });
  return {
    get origin() {
      return origin;
    },
    async signIn(who) {
      user = who;
      const context = await options.browser.newContext({ viewport: options.viewport ?? { width: 390, height: 844 } });
      contexts.push(context);
      const page = await context.newPage();
      const response = await page.goto(`${origin}/ui`);
      return { page, status: response?.status() };
    },
    async tokenOf(page, name = `token ${Math.random().toString(36).slice(2, 10)}`) {
      await page.goto(`${origin}/ui/settings`);
      await page.getByLabel('New token’s name').fill(name);
      await page.getByRole('button', { name: 'Create token' }).click();
      return ((await page.locator('#new-token').textContent()) ?? '').trim();
    },
  };
}
