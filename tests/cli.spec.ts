/**
 * The command line as a person meets it: help, bad settings, no key, the offline emulator mode, the HTTP
 * endpoints, and the exact tool list (a reviewed change when it moves).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { runCli } from './helpers/runCli.js';
import { CLI, idsOf, startStudio, textOf } from './helpers/studio.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
});

function run(args: string[], env: Record<string, string> = {}, timeoutMs = 10_000) {
  return runCli(args, {
    env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATA_DIR: '/tmp/nbs-cli-never-used', ...env },
    timeoutMs,
  });
}

function postWithHost(url: string, host: string): Promise<number> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        host,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('nanobanana-studio CLI', () => {
  it('--help prints usage on stderr and nothing on stdout', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('nanobanana-studio serve');
  });

  it.each([
    [['serve'], { STUDIO_PORT: 'abc' }, /STUDIO_PORT="abc": expected a number/],
    [['serve', '--port', '70000'], {}, /Invalid setting "port"/],
    [['--default-model', 'dalle'], {}, /Invalid setting "defaultModel": Unknown default model "dalle"/],
    [['--image-responses', 'huge'], {}, /Invalid setting "imageResponses"/],
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['paint'], {}, /Unknown command "paint"/],
  ])('refuses a bad setting at start (%j %j)', async (args, env, pattern) => {
    const { code, stderr } = await run(args, env);
    expect(code).toBe(2);
    expect(stderr).toMatch(pattern);
  });

  it('starts without an API key and answers every generation with how to set it', async () => {
    const before = emu.requests.length;
    const studio = await startStudio('stdio', { geminiUrl: emu.url, apiKey: null });
    try {
      const result = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a cat' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/No Gemini API key is set\. Set GEMINI_API_KEY/);
      expect(textOf(result)).toContain('--emulator');
      expect(emu.requests.length).toBe(before);
      expect(studio.stderr()).toMatch(/No Gemini API key is set/);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it.each(['stdio', 'http'] as const)('--emulator runs the offline demo in-process (%s)', async (kind) => {
    const studio = await startStudio(kind, { apiKey: null, args: ['--emulator'] });
    try {
      const result = await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a banana on the moon' },
      });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(idsOf(result)).toHaveLength(1);
      expect(studio.stderr()).toMatch(/SYNTHETIC/);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it('serve: /health, image links, DNS-rebinding protection, unknown routes', async () => {
    const studio = await startStudio('http', { geminiUrl: emu.url });
    try {
      const health = await fetch(`${studio.url}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', emulator: false });
      // fetch will not send a forged Host header; node:http will.
      expect(await postWithHost(`${studio.url}/mcp`, 'evil.example.com')).toBe(403);
      expect(await postWithHost(`${studio.url}/mcp`, 'localhost')).toBe(200);
      const foreignOrigin = await fetch(`${studio.url}/mcp`, {
        method: 'POST',
        headers: {
          origin: 'https://evil.example.com',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(foreignOrigin.status).toBe(403);
      const id = idsOf(await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a link' } }))[0];
      const image = await fetch(`${studio.url}/i/${id}.jpg`);
      expect(image.status).toBe(200);
      const again = await fetch(`${studio.url}/i/${id}.jpg`, {
        headers: { 'if-none-match': image.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
      expect((await fetch(`${studio.url}/i/img_aaaaaaaaaaaaaaaaaaaaaaaaaa.jpg`)).status).toBe(404);
      expect((await fetch(`${studio.url}/nothing`)).status).toBe(404);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it('serve: a request body over the limit is refused with what to do instead', async () => {
    const studio = await startStudio('http', { geminiUrl: emu.url, env: { STUDIO_MAX_REQUEST_BODY_MB: '1' } });
    try {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'upload_file', arguments: { data: 'A'.repeat(2 * 1024 * 1024) } },
      });
      const response = await fetch(`${studio.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      });
      expect(response.status).toBe(413);
      const json = (await response.json()) as { error: { message: string } };
      expect(json.error.message).toMatch(/at most 1 MB per request \(STUDIO_MAX_REQUEST_BODY_MB\)/);
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it('emulator command serves the Gemini wire format on its own', async () => {
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stderr.on('data', (c) => {
          text += c;
          const m = /listening on (http:\S+)/.exec(text);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', () => reject(new Error(text)));
      });
      const response = await fetch(`${url}/v1beta/models/gemini-nano-banana-2.1:generateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
        body: JSON.stringify({
          contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
          generationConfig: { responseModalities: ['IMAGE'] },
        }),
      });
      const body = (await response.json()) as { candidates: Array<{ finishReason: string }> };
      expect(body.candidates[0]?.finishReason).toBe('STOP');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

const TOOLS = [
  'generate_image',
  'generate_image_async',
  'edit_image',
  'get_image',
  'cancel_pipeline',
  'propose_concepts',
  'list_images',
  'image_info',
  'upload_file',
  'list_uploads',
  'delete_upload',
  'studio_library',
];
/** The in-chat gallery's app-only tools (MCP Apps `visibility: ['app']`). */
const APP_TOOLS = ['app_variation', 'app_edit', 'app_upscale'];
const MCP_APPS_HOST = {
  capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } },
};
const ERA_2026 = { versionNegotiation: { mode: 'auto' as const } };

describe('capabilities', () => {
  it.each([
    { kind: 'stdio', client: 'a client without MCP Apps', options: {}, expected: TOOLS },
    { kind: 'stdio', client: 'an MCP Apps host', options: MCP_APPS_HOST, expected: [...TOOLS, ...APP_TOOLS] },
    { kind: 'http', client: 'a 2026-07-28 client without MCP Apps', options: ERA_2026, expected: TOOLS },
    {
      kind: 'http',
      client: 'a 2026-07-28 MCP Apps host',
      options: { ...ERA_2026, ...MCP_APPS_HOST },
      expected: [...TOOLS, ...APP_TOOLS],
    },
    // A stateless 2025-era HTTP request carries no client capabilities: the app-only tools stay listed, so
    // MCP Apps hosts (which hide them from the model) can call them; see src/tools/mcpApp.ts.
    { kind: 'http', client: 'a 2025 client (stateless, unknown)', options: {}, expected: [...TOOLS, ...APP_TOOLS] },
  ] as const)(
    'lists exactly the studio tools with descriptions and annotations ($kind, $client)',
    async ({ kind, options, expected }) => {
      const studio = await startStudio(kind, { geminiUrl: emu.url, clientCapabilities: options });
      try {
        const { tools } = await studio.client.listTools();
        expect(tools.map((t) => t.name)).toEqual(expected);
        for (const tool of tools) {
          expect(tool.description?.length).toBeGreaterThan(60);
          expect(tool.inputSchema.type).toBe('object');
        }
        const generate = tools.find((t) => t.name === 'generate_image');
        expect(generate?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
        expect(generate?.description).toMatch(/only when they ask for Pro/);
        expect(generate?.outputSchema).toBeUndefined(); // images: no structuredContent
        // get_image answers with the image once done: no outputSchema, no structuredContent then (issue 13).
        expect(tools.find((t) => t.name === 'get_image')?.outputSchema).toBeUndefined();
        expect(tools.find((t) => t.name === 'cancel_pipeline')?.outputSchema).toBeDefined();
        // Strict hosts flag a type list (`type: ["string", "null"]`): optional fields are left out instead.
        for (const tool of tools) expect(JSON.stringify(tool.outputSchema ?? {})).not.toMatch(/"type":\[/);
        expect(studio.client.getInstructions()).toContain('Nano Banana 2.1 at 1K');
        // The gallery view is declared on the image tools; hosts without MCP Apps ignore `_meta`.
        for (const name of ['generate_image', 'edit_image', 'get_image']) {
          expect(tools.find((t) => t.name === name)?._meta).toMatchObject({
            ui: { resourceUri: 'ui://nanobanana/gallery.html' },
          });
        }
        // What an MCP Apps host shows its model (spec: tools whose visibility lacks "model" stay hidden).
        const forModel = tools.filter((t) => {
          const visibility = (t._meta?.ui as { visibility?: string[] } | undefined)?.visibility;
          return !visibility || visibility.includes('model');
        });
        expect(forModel.map((t) => t.name)).toEqual(TOOLS);
        // The view itself is offered with the app-only tools.
        const { resources } = await studio.client.listResources();
        expect(resources.some((r) => r.uri === 'ui://nanobanana/gallery.html')).toBe(expected.includes('app_edit'));
        for (const tool of tools.filter((t) => APP_TOOLS.includes(t.name))) {
          expect(tool._meta?.ui).toEqual({ resourceUri: 'ui://nanobanana/gallery.html', visibility: ['app'] });
          expect(tool.outputSchema).toBeUndefined();
        }
      } finally {
        await studio.close({ removeData: true });
      }
    },
  );

  it('refuses app-only tools to a client that declared no MCP Apps (stdio)', async () => {
    const studio = await startStudio('stdio', { geminiUrl: emu.url });
    try {
      const refused = await studio.client.callTool({ name: 'app_variation', arguments: { image: 'img_nothing' } }).then(
        (r) => textOf(r),
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/app_variation/);
      expect(refused).toMatch(/disabled|not found/i);
    } finally {
      await studio.close({ removeData: true });
    }
  });
});
