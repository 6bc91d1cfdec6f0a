/**
 * Every HTTP and dashboard route of `serve`, in process through Hono's `app.request()` (no socket, no
 * browser): status, content type, the key parts of the body, and the refusals (Host, Origin, body size,
 * CSRF, not an admin). The app is built from the factories the command line wires (tests/helpers/
 * inProcessApp.ts), with sign-in off (the local user) and Gemini played by the emulator. What only a browser
 * shows (sign-in redirects through a provider, cookies in a real browser, layout) stays in dashboard.spec.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from '../src/ui/routes.js';
import { marker } from './helpers/emulator.js';
import { DashboardVisitor, type InProcessApp, startInProcessApp } from './helpers/inProcessApp.js';
import { useEmulator } from './helpers/useStudio.js';

const emu = useEmulator();
let app: InProcessApp;
let imageId = '';
const prompt = `an in-process owl ${marker('routes')}`;

/** An MCP request over stateless HTTP, as `app.request()` takes it. */
function mcpPost(method: string, params: Record<string, unknown>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  };
}

/** One MCP request: the JSON-RPC answer read from its event stream. */
async function rpc(method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await app.request('/mcp', mcpPost(method, params, headers));
  const text = await response.text();
  const data = /^data: (.*)$/m.exec(text)?.[1];
  return {
    response,
    text,
    message: data ? (JSON.parse(data) as { result?: { tools?: unknown[] }; error?: unknown }) : undefined,
  };
}

beforeAll(async () => {
  app = await startInProcessApp({ geminiUrl: emu.url });
  const made = await rpc('tools/call', { name: 'generate_image', arguments: { prompt } });
  imageId = /Image (img_[a-z0-9]{26})/.exec(JSON.stringify(made.message))?.[1] ?? '';
  expect(imageId, made.text).toMatch(/^img_/);
});
afterAll(async () => {
  await app?.close();
});

describe('HTTP routes', () => {
  it('GET /health: 200 JSON with the status and version', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok', version: app.runtime.version, emulator: false });
  });

  it('GET /: 302 to the dashboard', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/ui');
  });

  it('an unknown route: 404 JSON naming the method and path, with a reference', async () => {
    const response = await app.request('/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: 'not_found',
      message: 'No route for GET /nothing-here.',
      reference: expect.stringMatching(/^req_[0-9a-f]{20}$/),
    });
  });

  it('POST /mcp: tools/list answers as an event stream with the studio tools', async () => {
    const { response, message } = await rpc('tools/list', {});
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const names = ((message?.result?.tools ?? []) as Array<{ name: string }>).map((t) => t.name);
    expect(names).toContain('generate_image');
    expect(names).toContain('list_images');
  });

  it('POST /mcp: refused with 403 for a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const host = await rpc('tools/list', {}, { host: 'evil.example.com' });
    expect(host.response.status).toBe(403);
    const origin = await rpc('tools/list', {}, { origin: 'https://evil.example.com' });
    expect(origin.response.status).toBe(403);
  });

  it('POST /mcp: a body that is not JSON is a 400 parse error (-32700)', async () => {
    const response = await app.request('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(-32700);
  });

  it('POST /mcp: a body over STUDIO_MAX_REQUEST_BODY_MB is a 413 that says what to do instead', async () => {
    const limit = app.runtime.config.maxRequestBodyMb * 1024 * 1024;
    const response = await app.request('/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': String(limit + 1),
      },
      body: 'x',
    });
    expect(response.status).toBe(413);
    const body = await response.json();
    expect(body.error.code).toBe(-32600);
    expect(body.error.message).toContain('STUDIO_MAX_REQUEST_BODY_MB');
  });

  it('GET /i/{id}.jpg: the image, immutable; an unknown id is a 404', async () => {
    const response = await app.request(`/i/${imageId}.jpg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const unknown = await app.request('/i/img_00000000000000000000000000.jpg');
    expect(unknown.status).toBe(404);
  });
});

describe('dashboard pages (sign-in off: the local user)', () => {
  const html = async (path: string, status = 200) => {
    const response = await app.request(path);
    expect(response.status, path).toBe(status);
    expect(response.headers.get('content-type'), path).toBe('text/html; charset=UTF-8');
    expect(response.headers.get('content-security-policy'), path).toBe(CSP);
    expect(response.headers.get('x-frame-options'), path).toBe('DENY');
    return response.text();
  };

  it('GET /ui: the gallery with the image’s thumbnail', async () => {
    const body = await html('/ui');
    expect(body).toContain('<title>Gallery · Nano Banana Studio</title>');
    expect(body).toContain(`src="/ui/thumb/${imageId}"`);
    expect(body).toContain(`alt="${prompt}"`);
  });

  it('GET /ui/images/{id}, its file, its download and its thumbnail', async () => {
    expect(await html(`/ui/images/${imageId}`)).toContain(`href="/ui/images/${imageId}/file"`);
    const file = await app.request(`/ui/images/${imageId}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    const download = await app.request(`/ui/images/${imageId}/file?download=1`);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const thumb = await app.request(`/ui/thumb/${imageId}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('cache-control')).toContain('immutable');
  });

  it('an unknown image: 404 on its page, file and thumbnail', async () => {
    const unknown = 'img_00000000000000000000000000';
    expect(await html(`/ui/images/${unknown}`, 404)).toContain('Not found');
    expect((await app.request(`/ui/images/${unknown}/file`)).status).toBe(404);
    expect((await app.request(`/ui/thumb/${unknown}`)).status).toBe(404);
  });

  it('GET /ui/costs: the exact amounts, on an instance of its own (nb2.1 at 1K and pro at 1K)', async () => {
    const own = await startInProcessApp({ geminiUrl: emu.url });
    try {
      for (const model of ['nb2.1', 'pro']) {
        const made = await own.request(
          '/mcp',
          mcpPost('tools/call', { name: 'generate_image', arguments: { prompt: `a bill ${model}`, model } }),
        );
        expect(made.status).toBe(200);
        expect(await made.text()).toContain('Image img_');
      }
      const response = await own.request('/ui/costs');
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toContain('<h1>My costs</h1>');
      expect(body).toContain('<li>Last 30 days<strong>$0.1676</strong></li>');
      expect(body).toContain('<li>All time<strong>$0.1676</strong></li>');
      expect(body).toContain('<li>Images billed<strong>2</strong></li>');
      expect(body).toContain('<tr><td>nb2.1</td><td class="num">1</td><td class="num">$0.0336</td></tr>');
      expect(body).toContain('<tr><td>pro</td><td class="num">1</td><td class="num">$0.1340</td></tr>');
      expect(body).not.toContain('id="per-user"');
    } finally {
      await own.close();
    }
  });

  it('GET /ui/settings, /ui/studio and the library shelves', async () => {
    expect(await html('/ui/settings')).toContain('<title>Settings · Nano Banana Studio</title>');
    expect(await html('/ui/studio')).toContain('<title>Create · Nano Banana Studio</title>');
    for (const shelf of ['palettes', 'styles', 'templates'])
      expect(await html(`/ui/studio/${shelf}`)).toContain('<form');
  });

  it('GET /ui/studio/runs and /ui/studio/events: the pipelines a Create form started, then their end as events', async () => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/studio');
    const m = marker('create');
    const started = await visitor.post('/ui/studio/generate', { prompt: `a form-made kite ${m}` });
    expect(started.status).toBe(303);
    const location = started.headers.get('location') ?? '';
    const ids = /^\/ui\/studio\/runs\?ids=(pl_[a-z0-9]+)$/.exec(location)?.[1] ?? '';
    expect(ids, location).toMatch(/^pl_/);
    const runs = await visitor.get(location);
    expect(runs.status).toBe(200);
    expect(await runs.text()).toContain('<title>Making images · Nano Banana Studio</title>');
    const events = await visitor.get(`/ui/studio/events?ids=${ids}`);
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = await events.text(); // it ends once every pipeline is done
    expect(stream).toMatch(/^event: pipeline$/m);
    expect(stream).toContain(ids);
    expect(stream).toMatch(/event: end\ndata: \{\}\n\n$/);
  });

  it('GET /ui/studio/runs without ids, and /ui/compare of two images', async () => {
    expect(await html('/ui/studio/runs', 400)).toContain('Please check');
    const other = await rpc('tools/call', {
      name: 'edit_image',
      arguments: { image: imageId, instruction: 'add a moon' },
    });
    const edited = /Image (img_[a-z0-9]{26})/.exec(JSON.stringify(other.message))?.[1] ?? '';
    const compared = await html(`/ui/compare?a=${imageId}&b=${edited}`);
    expect(compared).toContain('<title>Compare versions · Nano Banana Studio</title>');
    expect(compared).toContain(imageId);
    expect(compared).toContain(edited);
  });

  it('GET /ui/admin: 403 for the local user (not an admin)', async () => {
    expect(await html('/ui/admin', 403)).toContain('<title>Not allowed · Nano Banana Studio</title>');
  });

  it('sign-in pages with sign-in off: /ui/sign-in and its error page go to /ui; the signed-out page renders', async () => {
    const signIn = await app.request('/ui/sign-in');
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toBe('/ui');
    expect(await html('/ui/signed-out')).toContain('You are signed out of the studio.');
    // Nothing to refuse with sign-in off: back to the dashboard (i17d; it rendered a 403 page before).
    const refused = await app.request('/ui/sign-in/error?error=x');
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toBe('/ui');
  });

  it('an unknown dashboard page: the HTML 404 page', async () => {
    expect(await html('/ui/no-such-page', 404)).toContain('There is no such page.');
  });

  it('assets: immutable with their type; an unknown one is a 404', async () => {
    const body = await html('/ui');
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(body)?.[1] ?? '';
    const css = await app.request(stylesheet);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.request('/ui/assets/nothing.css')).status).toBe(404);
  });

  it('GET /ui with a foreign Host: refused (DNS rebinding) like /mcp', async () => {
    expect((await app.request('/ui', { headers: { host: 'evil.example.com' } })).status).toBe(403);
  });
});

describe('dashboard forms', () => {
  const POSTS = [
    '/ui/settings/model',
    '/ui/settings/tokens',
    '/ui/settings/tokens/tok_x/revoke',
    '/ui/images/img_00000000000000000000000000/delete',
    '/ui/images/img_00000000000000000000000000/edit',
    '/ui/studio/generate',
    '/ui/studio/concepts',
    '/ui/studio/pipelines/pl_x/cancel',
    '/ui/studio/palettes',
    '/ui/studio/templates',
    '/ui/studio/styles',
    '/ui/studio/styles/learn',
    '/ui/studio/palettes/lib_x/delete',
    '/ui/admin/budgets',
    '/ui/admin/access',
    '/ui/sign-out',
  ];

  it.each(POSTS)('POST %s without the CSRF token, or with a forged one: 403, nothing done', async (path) => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/settings');
    for (const csrf of [null, 'x'.repeat(43)]) {
      const response = await visitor.post(path, { model: 'pro', confirm: 'yes' }, { csrf });
      expect(response.status, path).toBe(403);
      expect(await response.text()).toContain('This form did not come from this page of the studio');
    }
    expect(await visitor.open('/ui/settings')).not.toContain('<option value="pro" selected');
  });

  it('POST /ui/settings/model: saves the default model and goes back to settings (303)', async () => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/settings');
    const saved = await visitor.post('/ui/settings/model', { model: 'lite' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/ui/settings?saved=model');
    expect(await visitor.open('/ui/settings')).toMatch(/<option value="lite" selected/);
    await visitor.post('/ui/settings/model', { model: 'nb2.1' });
  });

  it('POST /ui/settings/tokens: refused with sign-in off (400, says why)', async () => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/settings');
    const response = await visitor.post('/ui/settings/tokens', { name: 'x' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Access tokens are for a studio with sign-in on');
  });

  it('POST /ui/admin/budgets: 403 for the local user, even with a valid form', async () => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/settings');
    const response = await visitor.post('/ui/admin/budgets', { owner: 'local', daily: '1' });
    expect(response.status).toBe(403);
  });

  it('POST /ui/studio/palettes then its delete: saved and listed, then gone', async () => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/studio/palettes');
    const name = `Routes ${marker('pal')}`;
    const saved = await visitor.post('/ui/studio/palettes', { name, colours: '#E4572E, #29335C' });
    expect([200, 303]).toContain(saved.status);
    const shelf = await visitor.open('/ui/studio/palettes');
    expect(shelf).toContain(name);
    const id = /\/ui\/studio\/palettes\/(lib_[a-z0-9]+)\/delete/.exec(shelf)?.[1] ?? '';
    expect(id).toMatch(/^lib_/);
    const deleted = await visitor.post(`/ui/studio/palettes/${id}/delete`, {});
    expect([200, 303]).toContain(deleted.status);
    expect(await visitor.open('/ui/studio/palettes')).not.toContain(name);
  });

  it('POST /ui/images/{id}/delete: 400 without the confirmation; with it, 303 to the gallery and the image is gone', async () => {
    const made = await rpc('tools/call', {
      name: 'generate_image',
      arguments: { prompt: `to delete ${marker('del')}` },
    });
    const id = /Image (img_[a-z0-9]{26})/.exec(JSON.stringify(made.message))?.[1] ?? '';
    const visitor = new DashboardVisitor(app);
    await visitor.open(`/ui/images/${id}`);
    expect((await visitor.post(`/ui/images/${id}/delete`, {})).status).toBe(400);
    const deleted = await visitor.post(`/ui/images/${id}/delete`, { confirm: 'yes' });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe(`/ui?deleted=${id}`);
    expect((await app.request(`/ui/images/${id}`)).status).toBe(404);
  });

  it('POST /ui/sign-out with sign-in off: back to /ui (303)', async () => {
    const visitor = new DashboardVisitor(app);
    await visitor.open('/ui/settings');
    const response = await visitor.post('/ui/sign-out', {});
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui');
  });
});
