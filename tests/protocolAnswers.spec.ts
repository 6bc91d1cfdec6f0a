/**
 * The answers the MCP spec names, from the real server over HTTP (raw requests, to see the wire) and over
 * stdio (the SDK client): parse errors, missing resources, invalid cursors, unsupported protocol versions,
 * the logging capability (setLevel honoured; a retry after a 429 said as notifications/message), the Origin
 * check on every bind, and CORS for browser clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { type StudioProcess, startStudio } from './helpers/studio.js';

const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

/** The one JSON-RPC message of a response, whether sent as JSON or as an SSE event. */
async function messageOf(
  res: Response,
): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  const text = await res.text();
  const data = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? text);
  return JSON.parse(data);
}

describe('protocol answers over HTTP', () => {
  let emu: Emulator;
  let studio: StudioProcess;
  let mcp: string;

  beforeAll(async () => {
    emu = await startEmulator();
    studio = await startStudio('http', {
      geminiUrl: emu.url,
      env: { STUDIO_ALLOWED_ORIGINS: 'https://inspector.example.com' },
    });
    mcp = `${studio.url}/mcp`;
  }, 60_000);
  afterAll(async () => {
    await studio?.close({ removeData: true });
    await emu?.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(mcp, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });

  it('malformed JSON is a 400 with a JSON-RPC -32700 parse error', async () => {
    for (const body of ['{bad', '{"jsonrpc":"2.0","id":1,', '']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/json');
      const message = await messageOf(res);
      expect(message.error?.code, body).toBe(-32700);
      expect((message as { id?: unknown }).id).toBeNull();
    }
  });

  it('a missing resource is -32002 with its uri under the 2025 revisions (images:// and gemini://files/)', async () => {
    for (const uri of ['images://img_doesnotexist0000000000000', 'gemini://files/doesnotexist']) {
      const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri } }));
      const message = await messageOf(res);
      expect(message.error?.code, uri).toBe(-32002);
      expect(message.error?.data).toEqual({ uri });
    }
  });

  it('an invalid pagination cursor is -32602 on every list method', async () => {
    for (const method of ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']) {
      const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 4, method, params: { cursor: 'not-a-cursor' } }));
      const message = await messageOf(res);
      expect(message.error?.code, method).toBe(-32602);
      // Without a cursor the same list answers.
      const whole = await messageOf(await post(JSON.stringify({ jsonrpc: '2.0', id: 5, method, params: {} })));
      expect(whole.error, method).toBeUndefined();
    }
  });

  it('an unsupported MCP-Protocol-Version header is a 400 that names the supported versions', async () => {
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/list', params: {} }), {
      'mcp-protocol-version': '1999-01-01',
    });
    expect(res.status).toBe(400);
    const message = await messageOf(res);
    expect(message.error?.message).toContain('1999-01-01');
    for (const version of ['2025-11-25', '2025-06-18', '2025-03-26']) expect(message.error?.message).toContain(version);
  });

  it('declares logging, honours logging/setLevel, and says a retry after a 429 as notifications/message', async () => {
    const { client } = studio;
    expect(client.getServerCapabilities()?.logging).toEqual({});
    const messages: Array<{ level: string; data: unknown }> = [];
    client.setNotificationHandler('notifications/message', (n) => {
      messages.push(n.params as { level: string; data: unknown });
    });
    await client.setLoggingLevel('warning');
    const made = (await client.callTool({
      name: 'generate_image',
      arguments: { prompt: `a patient heron ${Date.now()} [emulator:429x1]` },
    })) as { isError?: boolean };
    expect(made.isError).toBeFalsy();
    const retry = messages.find((m) => String(m.data).includes('429'));
    expect(retry, JSON.stringify(messages)).toBeDefined();
    expect(retry?.level).toBe('warning');
    expect(String(retry?.data)).toMatch(/trying again in \d+\.\d s/);

    // Above the retry's level, nothing is said (the level holds across the stateless HTTP requests).
    await client.setLoggingLevel('error');
    messages.length = 0;
    const retriesBefore = studio.stderr().split('gemini call failed; retrying').length;
    await client.callTool({
      name: 'generate_image',
      arguments: { prompt: `a quiet heron ${Date.now()} [emulator:429x1]` },
    });
    expect(studio.stderr().split('gemini call failed; retrying').length).toBeGreaterThan(retriesBefore);
    expect(messages).toEqual([]);
    await client.setLoggingLevel('info');
  }, 60_000);

  it('checks Origin: a foreign one gets 403, a configured or local one passes, none passes', async () => {
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' });
    expect((await post(ping, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(ping, { origin: 'https://inspector.example.com' })).status).toBe(200);
    expect((await post(ping, { origin: 'http://localhost:6274' })).status).toBe(200);
    expect((await post(ping)).status).toBe(200);
  });

  it('answers CORS preflights on /mcp for allowed origins only, never with credentials', async () => {
    const preflight = (origin: string) =>
      fetch(mcp, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization, mcp-protocol-version',
        },
      });
    const allowed = await preflight('https://inspector.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://inspector.example.com');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mcp-protocol-version');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    // The actual request exposes what a browser client must read.
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }), {
      origin: 'https://inspector.example.com',
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://inspector.example.com');
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('mcp-session-id');
  });
});

describe('protocol answers over stdio', () => {
  let emu: Emulator;
  let studio: StudioProcess;

  beforeAll(async () => {
    emu = await startEmulator();
    studio = await startStudio('stdio', { geminiUrl: emu.url });
  }, 60_000);
  afterAll(async () => {
    await studio?.close({ removeData: true });
    await emu?.close();
  });

  it('a missing resource is resource-not-found with its uri, and a cursor is refused', async () => {
    const uri = 'images://img_doesnotexist0000000000000';
    const error = (await studio.client.readResource({ uri }).catch((e: unknown) => e)) as {
      code?: number;
      data?: unknown;
      message?: string;
    };
    // The SDK client reads -32002 back as its ResourceNotFoundError (code -32602, data { uri }).
    expect(error.data).toEqual({ uri });
    expect(error.message).toContain('No image with id');
    const cursor = (await studio.client.listTools({ cursor: 'x' }).catch((e: unknown) => e)) as { code?: number };
    expect(cursor.code).toBe(-32602);
  });

  it('sends a retry notice at the level the client set', async () => {
    const messages: Array<{ level: string; data: unknown }> = [];
    studio.client.setNotificationHandler('notifications/message', (n) => {
      messages.push(n.params as { level: string; data: unknown });
    });
    await studio.client.setLoggingLevel('info');
    await studio.client.callTool({
      name: 'generate_image',
      arguments: { prompt: `a stdio heron ${Date.now()} [emulator:429x1]` },
    });
    expect(messages.some((m) => m.level === 'warning' && String(m.data).includes('429'))).toBe(true);
  }, 60_000);
});

describe('the Origin check on an address that is not loopback-named', () => {
  let emu: Emulator;
  let studio: StudioProcess;

  beforeAll(async () => {
    emu = await startEmulator();
    // 127.0.0.2 is loopback on Linux but not one of the names the MCP app treats as local: before issue 12 no
    // Origin was checked on such a bind (the same code path as 0.0.0.0 or a public address).
    studio = await startStudio('http', {
      geminiUrl: emu.url,
      args: ['--host', '127.0.0.2', '--allow-unauthenticated'],
      env: { STUDIO_AUTH: 'off', STUDIO_ALLOWED_ORIGINS: 'https://web.example.com' },
    });
  }, 60_000);
  afterAll(async () => {
    await studio?.close({ removeData: true });
    await emu?.close();
  });

  it('refuses a foreign Origin with 403, lets a configured one and requests without one through', async () => {
    const ping = (origin?: string) =>
      fetch(`${studio.url}/mcp`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, ...(origin ? { origin } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
    expect((await ping('https://evil.example')).status).toBe(403);
    expect((await ping('http://localhost:6274')).status).toBe(403);
    expect((await ping('https://web.example.com')).status).toBe(200);
    expect((await ping()).status).toBe(200);
  });
});
