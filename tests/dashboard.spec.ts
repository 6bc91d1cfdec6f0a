/**
 * The studio dashboard (/ui) end to end in headless Chromium: the built server with sign-in on against a
 * real OpenID provider on loopback (its interaction signs in whoever `user` names), images made through
 * the real MCP client with a personal access token made on the dashboard itself. Also the dashboard with
 * sign-in off (loopback). Screenshots land in test-results/screenshots/.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSkipNote, chromiumMissing, screenshot, useBrowser } from './helpers/browser.js';
import { marker } from './helpers/emulator.js';
import { useSignedInDashboard } from './helpers/signedInDashboard.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

const CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };
const textOf = (result: ToolResult) =>
  result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

const SKIP_NOTE = browserSkipNote('tests/dashboard.spec.ts');
const emu = useEmulator();
const browser = useBrowser();

describe.skipIf(chromiumMissing)(`studio dashboard with sign-in on${SKIP_NOTE}`, () => {
  // One server for the block; each test signs in in a fresh browser context and makes its own data
  // (its own token, images whose prompts carry its own marker, a person of its own where settings or
  // totals are read), so that any test runs alone or in any order.
  const dash = useSignedInDashboard({
    emulator: emu,
    browser,
    allowedEmails: 'alice@example.com, bob@example.com, carol@example.com, dave@example.com, erin@example.com',
    adminEmails: 'bob@example.com',
  });
  const { signIn } = dash;
  const tokenOf = (page: Page, name = `token ${marker('pat')}`) => dash.tokenOf(page, name);

  const mcp = async (bearer: string) => {
    const client = new Client({ name: 'dashboard test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${dash.origin}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      }),
    );
    return client;
  };
  const call = async (client: Client, name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as ToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    return textOf(result);
  };
  /** Makes images through MCP with `page`'s person's own token; returns their ids. */
  const make = async (page: Page, ...calls: Array<Record<string, unknown>>): Promise<string[]> => {
    const client = await mcp(await tokenOf(page));
    try {
      const ids: string[] = [];
      for (const args of calls) {
        const name = 'instruction' in args ? 'edit_image' : 'generate_image';
        ids.push(
          ...[...(await call(client, name, args)).matchAll(/Image (img_[a-z0-9]+)/g)].map((m) => m[1] as string),
        );
      }
      return ids;
    } finally {
      await client.close();
    }
  };

  it('signs a listed person in through the provider, with a strict CSP and safe cookies', async () => {
    const { page, status } = await signIn('alice');
    expect(status).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/ui');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('My images');
    await expect(page.locator('.who').textContent()).resolves.toContain('alice@example.com');
    const response = await page.request.get(`${dash.origin}/ui`);
    expect(response.headers()['content-security-policy']).toBe(CSP);
    const session = (await page.context().cookies()).find((c) => c.name.includes('session_token'));
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    await screenshot(page, 'dashboard-empty-gallery');
  });

  it('makes a personal access token on the settings page, shown once, that an MCP client uses', async () => {
    const { page: alice } = await signIn('alice');
    const name = `dashboard test ${marker('shown-once')}`;
    const token = await tokenOf(alice, name);
    expect(token).toMatch(/^nbs_pat_/);
    await screenshot(alice, 'dashboard-token-created');
    await alice.goto(`${dash.origin}/ui/settings`);
    expect(await alice.content()).not.toContain(token);
    await expect(alice.getByRole('cell', { name, exact: true }).count()).resolves.toBe(1);
    const client = await mcp(token);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('generate_image');
    } finally {
      await client.close();
    }
  });

  it('shows the gallery (thumbnails, search) and an image page with its lineage', async () => {
    const { page: alice } = await signIn('alice');
    const m = marker('owl');
    const [parentId] = await make(alice, { prompt: `a dashboard owl ${m}` });
    expect(parentId).toMatch(/^img_/);
    await make(alice, { image: parentId, instruction: `give the owl a scarf ${m}` });
    await alice.goto(`${dash.origin}/ui`);
    const thumb = alice.locator(`img[src="/ui/thumb/${parentId}"]`);
    await expect(thumb.getAttribute('loading')).resolves.toBe('lazy');
    await expect(thumb.getAttribute('alt')).resolves.toBe(`a dashboard owl ${m}`);
    const thumbResponse = await alice.request.get(`${dash.origin}/ui/thumb/${parentId}`);
    expect(thumbResponse.status()).toBe(200);
    expect(thumbResponse.headers()['content-type']).toBe('image/webp');
    expect(thumbResponse.headers()['cache-control']).toContain('immutable');
    await screenshot(alice, 'dashboard-gallery');

    await alice.getByRole('searchbox', { name: 'Search by prompt' }).fill(`scarf ${m}`);
    await alice.getByRole('button', { name: 'Search' }).click();
    await expect(alice.locator('.grid li').count()).resolves.toBe(1);

    await alice.goto(`${dash.origin}/ui`);
    await thumb.click();
    await alice.waitForURL(`${dash.origin}/ui/images/${parentId}`);
    await expect(alice.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(parentId);
    await expect(alice.getByRole('link', { name: 'Open full image' }).getAttribute('href')).resolves.toBe(
      `/ui/images/${parentId}/file`,
    );
    await expect(alice.getByRole('link', { name: 'Download' }).count()).resolves.toBe(1);
    await expect(alice.getByRole('button', { name: 'Copy link' }).count()).resolves.toBe(1);
    // Lineage: the edit is listed as a child, and its page names this image as its parent.
    const child = alice.locator(`.grid a img[alt="give the owl a scarf ${m}"]`);
    await expect(child.count()).resolves.toBe(1);
    await screenshot(alice, 'dashboard-image-page');
    await child.click();
    await alice.waitForURL(/\/ui\/images\/img_/);
    await expect(alice.locator(`.grid a[href="/ui/images/${parentId}"]`).count()).resolves.toBe(1);
    const full = await alice.request.get(`${dash.origin}/ui/images/${parentId}/file?download=1`);
    expect(full.status()).toBe(200);
    expect(full.headers()['content-disposition']).toContain('attachment');
  }, 60_000);

  it('uses the default model chosen in settings for the next MCP generation that names none', async () => {
    // Dave's own default: nobody else's generations change with it.
    const { page: dave } = await signIn('dave');
    await dave.goto(`${dash.origin}/ui/settings`);
    await dave.getByLabel('Model used when a call names none').selectOption('pro');
    await dave.getByRole('button', { name: 'Save default model' }).click();
    await expect(dave.getByRole('status').first().textContent()).resolves.toContain('Default model saved');
    await expect(dave.getByLabel('Model used when a call names none').inputValue()).resolves.toBe('pro');
    await screenshot(dave, 'dashboard-settings');
    const client = await mcp(await tokenOf(dave));
    try {
      const made = await call(client, 'generate_image', { prompt: 'an owl in the default model' });
      expect(made).toMatch(/\(pro, /);
      const named = await call(client, 'generate_image', { prompt: 'an owl on nb2.1', model: 'nb2.1' });
      expect(named).toMatch(/\(nb2\.1, /);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('shows costs per day and per model, with exact totals', async () => {
    // Erin's images are made here and nowhere else: her totals are exactly these two.
    const { page: erin } = await signIn('erin');
    await make(erin, { prompt: 'a billed kite', model: 'nb2.1' }, { prompt: 'a billed kite in pro', model: 'pro' });
    await erin.goto(`${dash.origin}/ui/costs`);
    await expect(erin.locator('svg.chart').count()).resolves.toBe(2);
    // A column a day for 30 days, a bar a model.
    await expect(erin.locator('svg.chart').first().locator('rect.bar').count()).resolves.toBe(30);
    await expect(erin.locator('svg.chart').nth(1).locator('rect.bar').count()).resolves.toBe(2);
    await expect(erin.locator('ul.totals li').allTextContents()).resolves.toEqual([
      'Last 30 days$0.1676',
      'All time$0.1676',
      'Images billed2',
    ]);
    const rows = await erin.locator('table tbody tr').allTextContents();
    expect(rows.sort()).toEqual(['nb2.11$0.0336', 'pro1$0.1340']);
    // Not an admin: no table per person.
    await expect(erin.locator('#per-user').count()).resolves.toBe(0);
    await screenshot(erin, 'dashboard-costs');
  }, 60_000);

  it('keeps admin pages for admins: 403 for others, usage, budgets and the allow-list for the admin', async () => {
    const { page: alice } = await signIn('alice');
    await make(alice, { prompt: `an admin-page heron ${marker('admin')}`, model: 'pro' });
    const refused = await alice.goto(`${dash.origin}/ui/admin`);
    expect(refused?.status()).toBe(403);
    await expect(alice.locator('nav').getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);

    const { page: bob } = await signIn('bob');
    const admin = await bob.goto(`${dash.origin}/ui/admin`);
    expect(admin?.status()).toBe(200);
    await expect(bob.locator('#usage-per-model').textContent()).resolves.toContain('pro');
    await expect(bob.locator('#allow-list').textContent()).resolves.toContain('alice@example.com');
    const aliceBudget = bob.locator('form.budget-form', { hasText: 'alice@example.com' });
    await aliceBudget.getByLabel('Daily USD').fill('5');
    await aliceBudget.getByLabel('Requests/min').fill('30');
    await aliceBudget.getByRole('button', { name: 'Save budget' }).click();
    await expect(bob.getByRole('status').first().textContent()).resolves.toContain('saved');
    await expect(
      bob.locator('form.budget-form', { hasText: 'alice@example.com' }).getByLabel('Daily USD').inputValue(),
    ).resolves.toBe('5');
    await screenshot(bob, 'dashboard-admin');
    await bob.goto(`${dash.origin}/ui/costs`);
    await expect(bob.locator('#per-user').textContent()).resolves.toContain('alice@example.com');
    // A non-admin's POST to the admin form is refused too.
    const csrf = await alice
      .goto(`${dash.origin}/ui/settings`)
      .then(() => alice.locator('input[name="_csrf"]').first());
    const post = await alice.request.post(`${dash.origin}/ui/admin/budgets`, {
      form: { _csrf: (await csrf.getAttribute('value')) ?? '', owner: 'x', daily: '1' },
    });
    expect(post.status()).toBe(403);
  }, 60_000);

  it('dashboard routes: another person gets 404 for Alice’s image page, file, thumbnail and delete; the admin reaches them', async () => {
    const { page: alice } = await signIn('alice');
    const m = marker('heron');
    const [id] = await make(alice, { prompt: `a matrix heron ${m}` });
    expect(id).toMatch(/^img_/);
    const routes = [`/ui/images/${id}`, `/ui/images/${id}/file`, `/ui/images/${id}/file?download=1`, `/ui/thumb/${id}`];
    const { page: carol } = await signIn('carol');
    const { page: bob } = await signIn('bob');
    const statuses = async (page: Page) =>
      Promise.all(routes.map(async (route) => (await page.request.get(`${dash.origin}${route}`)).status()));
    expect(await statuses(alice)).toEqual([200, 200, 200, 200]);
    expect(await statuses(carol)).toEqual([404, 404, 404, 404]);
    expect(await statuses(bob)).toEqual([200, 200, 200, 200]);
    // Carol's own, valid CSRF token does not let her delete Alice's image.
    await carol.goto(`${dash.origin}/ui/settings`);
    const csrf = await carol.locator('input[name="_csrf"]').first().getAttribute('value');
    const deleted = await carol.request.post(`${dash.origin}/ui/images/${id}/delete`, {
      form: { _csrf: csrf ?? '', confirm: 'yes' },
    });
    expect(deleted.status()).toBe(404);
    expect((await alice.request.get(`${dash.origin}/ui/images/${id}`)).status()).toBe(200);
    // Nor does the list show it to her.
    await carol.goto(`${dash.origin}/ui?q=${encodeURIComponent(m)}`);
    await expect(carol.locator('.grid li').count()).resolves.toBe(0);
  }, 60_000);

  it('pages the gallery 24 at a time, with links to older and back to the newest', async () => {
    const { page: alice } = await signIn('alice');
    const m = marker('paging');
    await make(alice, ...Array.from({ length: 7 }, (_, i) => ({ prompt: `paging kite ${i} ${m}`, n: 4 })));
    await alice.goto(`${dash.origin}/ui?q=${encodeURIComponent(m)}`);
    await expect(alice.locator('.grid li').count()).resolves.toBe(24);
    const firstPage = await alice.locator('.grid li img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')));
    await alice.getByRole('link', { name: 'Older images' }).click();
    await expect(alice.locator('.grid li').count()).resolves.toBe(4);
    const secondPage = await alice
      .locator('.grid li img')
      .evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')));
    expect(secondPage.filter((src) => firstPage.includes(src))).toEqual([]);
    await expect(alice.getByRole('link', { name: 'Older images' }).count()).resolves.toBe(0);
    await alice.getByRole('link', { name: 'Newest images' }).click();
    await expect(alice.locator('.grid li').count()).resolves.toBe(24);
    await screenshot(alice, 'dashboard-paging');
  }, 90_000);

  it('refuses a POST without the CSRF token, or with another session’s', async () => {
    const { page: alice } = await signIn('alice');
    await alice.goto(`${dash.origin}/ui/settings`);
    const before = await alice.getByLabel('Model used when a call names none').inputValue();
    const other = before === 'nb2' ? 'lite' : 'nb2';
    const missing = await alice.request.post(`${dash.origin}/ui/settings/model`, { form: { model: other } });
    expect(missing.status()).toBe(403);
    expect(missing.headers()['content-security-policy']).toBe(CSP);
    const forged = await alice.request.post(`${dash.origin}/ui/settings/model`, {
      form: { model: other, _csrf: 'x'.repeat(43) },
    });
    expect(forged.status()).toBe(403);
    await alice.goto(`${dash.origin}/ui/settings`);
    await expect(alice.getByLabel('Model used when a call names none').inputValue()).resolves.toBe(before);
  });

  it('deletes an image after confirmation', async () => {
    const { page: alice } = await signIn('alice');
    const [id] = await make(alice, { prompt: `an image to delete ${marker('delete')}` });
    await alice.goto(`${dash.origin}/ui/images/${id}`);
    await alice.getByLabel('Yes, delete this image for good').check();
    await alice.getByRole('button', { name: 'Delete image' }).click();
    await alice.waitForURL(/\/ui\?deleted=/);
    await expect(alice.getByRole('status').first().textContent()).resolves.toContain(`${id} was deleted`);
    expect((await alice.request.get(`${dash.origin}/ui/images/${id}`)).status()).toBe(404);
  });

  it('refuses an unlisted person at sign-in, saying what to do', async () => {
    const { page, status } = await signIn('mallory');
    expect(status).toBe(403);
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in/error');
    await expect(page.locator('main').textContent()).resolves.toContain('allow-list');
    expect((await page.request.get(`${dash.origin}/ui`, { maxRedirects: 0 })).status()).toBe(302);
    await screenshot(page, 'dashboard-refused');
  });
});

describe.skipIf(chromiumMissing)(`studio dashboard with sign-in off (loopback)${SKIP_NOTE}`, () => {
  const studio = useStudio('http', { emulator: emu });

  it('shows the local user’s gallery without signing in', async () => {
    const made = (await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'a local lighthouse' },
    })) as ToolResult;
    expect(made.isError, textOf(made)).toBeFalsy();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`${studio.url}/ui`);
      expect(response?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/ui');
      expect(response?.headers()['content-security-policy']).toBe(CSP);
      await expect(page.locator('.who').textContent()).resolves.toContain('Local studio');
      await expect(page.locator('img[alt="a local lighthouse"]').count()).resolves.toBe(1);
      // Nobody to administer with sign-in off: the local user is not called an admin (issue 13).
      await expect(page.locator('nav').getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
      expect((await page.request.get(`${studio.url}/ui/admin`)).status()).toBe(403);
      const cookie = (await context.cookies()).find((c) => c.name === 'nbs_ui_session');
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Lax');
      await screenshot(page, 'dashboard-local');
      const stylesheet = await page.locator('link[rel="stylesheet"]').getAttribute('href');
      const css = await page.request.get(`${studio.url}${stylesheet}`);
      expect(css.headers()['cache-control']).toContain('immutable');
    } finally {
      await context.close();
    }
  });
});
