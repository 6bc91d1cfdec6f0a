/**
 * The in-chat gallery (MCP Apps) end to end in headless Chromium. A test host page, served here on
 * loopback, plays the host's side of the protocol with ext-apps' AppBridge (tests/helpers/mcpAppHost.ts):
 * it loads ui://nanobanana/gallery.html, read from the real server (the built CLI over stdio, Gemini
 * emulated), into a sandboxed iframe under the spec's default CSP, and forwards the view's tool calls and
 * resource reads to that server through the real MCP client held by this process. Screenshots land in
 * test-results/mcp-app/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import type { McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipNote, CHROMIUM, chromiumMissing } from './helpers/browser.js';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { idsOf, imagesOf, type StudioProcess, startStudio, textOf } from './helpers/studio.js';

const GALLERY_URI = 'ui://nanobanana/gallery.html';
const SHOTS = path.resolve(import.meta.dirname, '../test-results/mcp-app');
const MCP_APPS_HOST = {
  capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } },
};

interface TestHostApi {
  load(html: string, options?: { resourceDomains?: string[]; context?: McpUiHostContext }): Promise<void>;
  toolInput(args: Record<string, unknown>): Promise<void>;
  toolResult(result: CallToolResult): Promise<void>;
  setContext(context: McpUiHostContext): void;
}
type HostWindow = Window & { testHost: TestHostApi };
interface ToolCall {
  name: string;
  arguments?: Record<string, unknown>;
}
interface Download {
  contents: Array<{ type: string; resource?: { uri: string; mimeType?: string; blob?: string } }>;
}

let emu: Emulator;
let studio: StudioProcess;
let browser: BrowserContext;
let page: Page;
let hostServer: http.Server;
let userDataDir: string;
let galleryHtml: string;
let tools: Tool[];
const calls: ToolCall[] = [];
const downloads: Download[] = [];
const modelContexts: Array<{ content?: Array<{ text?: string }> }> = [];
const consoleErrors: string[] = [];

const SKIP_NOTE = browserSkipNote('tests/mcpApp.spec.ts');

beforeAll(async () => {
  if (chromiumMissing) return;
  emu = await startEmulator();
  studio = await startStudio('stdio', {
    geminiUrl: emu.url,
    clientCapabilities: MCP_APPS_HOST,
    env: { STUDIO_SYNC_LIMIT_SECONDS: '2' },
  });
  tools = (await studio.client.listTools()).tools;
  const resource = await studio.client.readResource({ uri: GALLERY_URI });
  galleryHtml = (resource.contents[0] as { text: string }).text;

  const host = await build({
    entryPoints: [path.resolve(import.meta.dirname, 'helpers/mcpAppHost.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  const hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MCP Apps test host</title>
<style>body{margin:16px;font-family:sans-serif}iframe{display:block;width:640px;border:1px solid #ccc;border-radius:8px}</style>
</head><body><script type="module">${host.outputFiles[0]?.text.replaceAll('</script', '<\\/script')}</script></body></html>`;
  hostServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostPage);
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  const { port } = hostServer.address() as AddressInfo;

  await mkdir(SHOTS, { recursive: true });
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 720, height: 1000 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  // The host's side of tools/call from the view: only tools the server listed with "app" in their visibility.
  await page.exposeFunction('hostCallTool', async (params: ToolCall) => {
    const tool = tools.find((t) => t.name === params.name);
    const visibility = (tool?._meta?.ui as { visibility?: string[] } | undefined)?.visibility ?? ['model', 'app'];
    if (!tool || !visibility.includes('app')) throw new Error(`the view may not call ${params.name}`);
    calls.push({ name: params.name, arguments: params.arguments });
    return studio.client.callTool({ name: params.name, arguments: params.arguments }, { timeout: 120_000 });
  });
  await page.exposeFunction('hostReadResource', (params: { uri: string }) => studio.client.readResource(params));
  await page.exposeFunction('hostDownload', async (params: Download) => {
    downloads.push(params);
    return {};
  });
  await page.exposeFunction('hostModelContext', async (params: { content?: Array<{ text?: string }> }) => {
    modelContexts.push(params);
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'testHost' in window);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (hostServer ? hostServer.close(resolve) : resolve(undefined)));
  await studio?.close({ removeData: true });
  await emu?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

/** Loads a fresh gallery view into the host page and returns its frame. */
async function loadView(context?: McpUiHostContext): Promise<Frame> {
  await page.evaluate(
    ([html, ctx]) => (window as unknown as HostWindow).testHost.load(html, { context: JSON.parse(ctx) }),
    [galleryHtml, JSON.stringify(context ?? {})] as const,
  );
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  if (!frame) throw new Error('no view frame');
  await frame.waitForSelector('#gallery');
  return frame;
}

/** What a host does around a tool call it renders with the view: the input, then the result. */
async function feed(args: Record<string, unknown>, result: CallToolResult): Promise<void> {
  await page.evaluate(
    async ([input, output]) => {
      const host = (window as unknown as HostWindow).testHost;
      await host.toolInput(input);
      await host.toolResult(output);
    },
    [args, result] as const,
  );
}

/** Waits until the main image is decoded at this many pixels wide; returns its id. */
async function shownAt(frame: Frame, width: number): Promise<string> {
  await frame.waitForFunction(
    (w) => {
      const img = document.getElementById('image') as HTMLImageElement;
      return img.complete && img.naturalWidth === w;
    },
    width,
    { timeout: 30_000 },
  );
  return (await frame.textContent('#details'))?.match(/img_[A-Za-z0-9]+/)?.[0] ?? '';
}

/** Waits for the host to size the iframe to the view (ui/notifications/size-changed). */
const settled = () => page.waitForFunction(() => (document.querySelector('iframe')?.clientHeight ?? 0) > 600);
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe.skipIf(chromiumMissing)(`in-chat gallery (MCP Apps) in headless Chromium${SKIP_NOTE}`, () => {
  let frame: Frame;
  let firstId: string;
  let prompt: string;

  it('serves one self-contained HTML view as ui://nanobanana/gallery.html', async () => {
    const resource = await studio.client.readResource({ uri: GALLERY_URI });
    const content = resource.contents[0] as { mimeType: string; text: string; _meta?: { ui?: unknown } };
    expect(content.mimeType).toBe('text/html;profile=mcp-app');
    expect(content._meta?.ui).toMatchObject({ prefersBorder: true });
    expect(content.text).toMatch(/^<!doctype html>/i);
    expect(content.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import/); // no network needed
    expect(Buffer.byteLength(content.text)).toBeLessThan(450_000);
  });

  it('shows a real generate_image result at full resolution with its size, model and cost', async () => {
    frame = await loadView();
    prompt = `a lighthouse at dusk ${marker('gallery')}`;
    const args = { prompt };
    const result = (await studio.client.callTool({ name: 'generate_image', arguments: args })) as CallToolResult;
    // Hosts without MCP Apps keep getting exactly this: text, a preview, a link, and no structuredContent.
    expect(result.structuredContent).toBeUndefined();
    expect(imagesOf(result)).toHaveLength(1);
    [firstId] = idsOf(result) as [string];

    await feed(args, result);
    expect(await shownAt(frame, 1024)).toBe(firstId);
    const details = await frame.textContent('#details');
    expect(details).toContain('Nano Banana 2');
    expect(details).toContain('1024×1024 px');
    expect(details).toMatch(/1K · 1:1 · \$0\.\d{4} estimated/);
    expect(await frame.getAttribute('#image', 'alt')).toContain(prompt);
    expect(await frame.getAttribute('#status', 'aria-live')).toBe('polite');
    expect(await frame.isVisible('#download')).toBe(true);
    expect(await frame.textContent('#status')).toMatch(/^Image ready, 1024×1024 px/);
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await settled();
    await shot('1-result');
  });

  it('Variation calls app_variation (same prompt, new seed) and shows the new image', async () => {
    await frame.click('#variation');
    await frame.waitForFunction(() => document.querySelectorAll('#thumbs [role="option"]').length === 2, null, {
      timeout: 30_000,
    });
    const id = await shownAt(frame, 1024);
    expect(id).not.toBe(firstId);
    expect(calls.at(-1)).toEqual({ name: 'app_variation', arguments: { image: firstId } });
    const sent = generateRequests(emu, prompt.split(' ').at(-1) as string);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body.generationConfig?.seed).not.toEqual(sent[0]?.body.generationConfig?.seed);
    expect(await frame.textContent('#status')).toMatch(/^Variation: image ready, 1024×1024 px/);
    expect(modelContexts.at(-1)?.content?.[0]?.text).toContain(id);
  });

  it('Edit sends the typed instruction through app_edit and shows the result', async () => {
    const before = (await frame.textContent('#details'))?.match(/img_[A-Za-z0-9]+/)?.[0];
    const instruction = `make it night ${marker('edit')}`;
    await frame.fill('#instruction', instruction);
    await frame.press('#instruction', 'Enter');
    await frame.waitForFunction(() => document.querySelectorAll('#thumbs [role="option"]').length === 3, null, {
      timeout: 30_000,
    });
    await shownAt(frame, 1024);
    expect(calls.at(-1)).toEqual({ name: 'app_edit', arguments: { image: before, instruction } });
    expect(generateRequests(emu, instruction.split(' ').at(-1) as string)).toHaveLength(1);
    expect(await frame.inputValue('#instruction')).toBe('');
  });

  it('Upscale to 2K calls app_upscale and shows a 2048 px image', async () => {
    const before = (await frame.textContent('#details'))?.match(/img_[A-Za-z0-9]+/)?.[0];
    await frame.click('#upscale-2k');
    const id = await shownAt(frame, 2048);
    expect(id).not.toBe(before);
    expect(calls.at(-1)).toEqual({ name: 'app_upscale', arguments: { image: before, size: '2K' } });
    expect(await frame.textContent('#details')).toContain('2048×2048 px · 2K');
    expect(await frame.isDisabled('#upscale-2k')).toBe(true);
    expect(await frame.isEnabled('#upscale-4k')).toBe(true);
    await shot('2-after-actions');
  });

  it('offers the full image for download through the host', async () => {
    const id = (await frame.textContent('#details'))?.match(/img_[A-Za-z0-9]+/)?.[0] as string;
    await frame.click('#download');
    await expect.poll(() => downloads.length).toBe(1);
    const file = downloads[0]?.contents[0]?.resource;
    const stored = (await studio.client.readResource({ uri: `images://${id}` })).contents[0] as { blob: string };
    expect(file?.uri).toMatch(new RegExp(`${id}\\.(png|jpg)$`));
    expect(file?.blob).toBe(stored.blob);
  });

  it('works from the keyboard: one tab stop for the thumbnails, arrows to move, Enter on a button', async () => {
    await frame.focus('#thumbs [aria-selected="true"]');
    await frame.press('#thumbs [aria-selected="true"]', 'Home');
    await shownAt(frame, 1024);
    expect(await frame.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Image 1 of 4/);
    await page.keyboard.press('ArrowRight');
    expect(await frame.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Image 2 of 4/);
    const order: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await frame.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(order).toEqual(['variation', 'instruction', 'edit-button', 'upscale-2k', 'upscale-4k', 'download']);
    expect(await frame.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).toBe('solid');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await frame.evaluate(() => document.activeElement?.id)).toBe('variation');
    const count = calls.length;
    await page.keyboard.press('Enter');
    await expect.poll(() => calls.length, { timeout: 30_000 }).toBe(count + 1);
    expect(calls.at(-1)?.name).toBe('app_variation');
    await frame.waitForFunction(() => document.querySelectorAll('#thumbs [role="option"]').length === 5, null, {
      timeout: 30_000,
    });
  });

  it("takes the host's dark theme and style variables", async () => {
    const colors = () =>
      frame.evaluate(() => ({
        theme: document.documentElement.dataset.theme,
        body: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        button: getComputedStyle(document.getElementById('variation') as Element).backgroundColor,
      }));
    expect(await colors()).toMatchObject({ theme: 'light', body: 'rgb(255, 255, 255)' });
    await page.evaluate(() =>
      (window as unknown as HostWindow).testHost.setContext({
        theme: 'dark',
        styles: {
          variables: {
            '--color-background-primary': '#101014',
            '--color-text-primary': '#f5f5f5',
          } as NonNullable<McpUiHostContext['styles']>['variables'],
        },
      }),
    );
    await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    expect(await colors()).toEqual({
      theme: 'dark',
      body: 'rgb(16, 16, 20)', // the host's variable
      text: 'rgb(245, 245, 245)',
      button: 'rgb(38, 38, 42)', // our dark default where the host gave none
    });
    await shot('3-dark');
  });

  it('announces live progress while a slow pipeline runs, then shows its image', async () => {
    frame = await loadView({ theme: 'light' });
    const m = marker('slow');
    emu.faults.enqueue({ kind: 'latency', latencyMs: 7000 }, { times: 1, match: { promptIncludes: m } });
    const args = { prompt: `a slow sunrise ${m}` };
    const result = (await studio.client.callTool({ name: 'generate_image', arguments: args })) as CallToolResult;
    expect(textOf(result)).toMatch(/Still running after 2 s: pl_\w+ \(status running\)/);

    await frame.evaluate(() => {
      const status = document.getElementById('status') as HTMLElement;
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await feed(args, result);
    await frame.waitForFunction(() => /\(\d+%\)…$/.test(document.getElementById('status')?.textContent ?? ''), null, {
      timeout: 15_000,
    });
    expect(await frame.isVisible('#progress')).toBe(true);
    expect(await frame.getAttribute('#gallery', 'aria-busy')).toBe('true');
    await shot('4-progress');
    await shownAt(frame, 1024);
    const seen = await frame.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toMatch(/^Working on “a slow sunrise/);
    expect(seen.some((s) => /^(generate|store|queued|running) \(\d+%\)…$/.test(s))).toBe(true);
    expect(seen.at(-1)).toMatch(/^Image ready, 1024×1024 px · 1K · 1:1 · \$0\.\d{4} estimated/);
    expect(calls.filter((c) => c.name === 'get_image').length).toBeGreaterThanOrEqual(2);
    expect(await frame.isVisible('#progress')).toBe(false);
    expect(await frame.getAttribute('#gallery', 'aria-busy')).toBe('false');
  });

  it("reads the result's _meta, never its prose: reworded text changes nothing, no _meta shows no image", async () => {
    const args = { prompt: `a paper crane ${marker('meta')}` };
    const result = (await studio.client.callTool({ name: 'generate_image', arguments: args })) as CallToolResult;
    const data = result._meta?.['nanobanana-studio/result'] as { images: Array<{ id: string; model: string }> };
    const [id] = idsOf(result);
    expect(data.images.map((i) => i.id)).toEqual([id]);
    expect(data.images[0]?.model).toBe('nb2.1');

    frame = await loadView();
    const reworded: CallToolResult['content'] = result.content
      .filter((b) => b.type !== 'resource_link')
      .map((b) => (b.type === 'text' ? { type: 'text', text: 'Done.' } : b));
    await feed(args, { ...result, content: reworded });
    expect(await shownAt(frame, 1024)).toBe(id);
    expect(await frame.textContent('#details')).toMatch(
      /^Nano Banana 2\.1 · 1024×1024 px · 1K · 1:1 · \$0\.\d{4} estimated/,
    );
    expect(await frame.getAttribute('#details strong', 'title')).toBe(
      'Nano Banana 2.1 (nb2.1, gemini-nano-banana-2.1)',
    );

    frame = await loadView();
    const { _meta: _dropped, ...prose } = result;
    await feed(args, prose);
    await frame.waitForSelector('#error:not([hidden])');
    expect(await frame.textContent('#error')).toContain(`Image ${id}`);
    expect(await frame.isHidden('#stage')).toBe(true);
  });
});
