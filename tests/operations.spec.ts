/**
 * Running the studio for a team (issue 15): Prometheus metrics after real calls, one request id across log
 * lines, the pipeline record and the error a person sees, and unexpected errors masked on public binds.
 * The built CLI runs as a real process against the project's Gemini emulator; the MCP SDK client calls it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { type StudioProcess, startStudio, textOf } from './helpers/studio.js';

/** A public bind with sign-in off (something in front authenticates): errors masked, metrics off by default. */
const PUBLIC_NO_SIGN_IN = ['--host', '0.0.0.0', '--allow-unauthenticated'];
const PUBLIC_ENV = { STUDIO_AUTH: 'off' };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

/** The samples of one metric in a Prometheus text exposition, by their label set. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] ?? ''] = pair[2] ?? '';
    out.push({ labels, value: Number(match[4]) });
  }
  return out;
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  return samples(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function sumOf(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

describe('metrics at /metrics', () => {
  let studio: StudioProcess;
  beforeAll(async () => {
    studio = await startStudio('http', { geminiUrl: emu.url });
  });
  afterAll(async () => {
    await studio.close({ removeData: true });
  });

  it('counts the tool calls, Gemini attempts, pipelines, spend and HTTP requests it made', async () => {
    const call = (prompt: string) => studio.client.callTool({ name: 'generate_image', arguments: { prompt } });
    expect((await call('a red kite over dunes')).isError).toBeFalsy();
    expect((await call('a blue kite over dunes')).isError).toBeFalsy();
    // One 429 (RetryInfo 1s), then success: two attempts, one retry.
    expect((await call('a green kite [emulator:429x1]')).isError).toBeFalsy();
    // Refused by Gemini: a tool error, not an internal one.
    expect((await call('a kite [emulator:block]')).isError).toBe(true);
    expect((await studio.client.callTool({ name: 'list_images', arguments: {} })).isError).toBeFalsy();
    for (let i = 0; i < 2; i++) expect((await fetch(`${studio.url}/health`)).status).toBe(200);

    const response = await fetch(`${studio.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();

    expect(sample(text, 'nanobanana_tool_calls_total', { tool: 'generate_image', outcome: 'ok' })).toBe(3);
    expect(sample(text, 'nanobanana_tool_calls_total', { tool: 'generate_image', outcome: 'error' })).toBe(1);
    expect(sample(text, 'nanobanana_tool_calls_total', { tool: 'list_images', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'nanobanana_tool_call_duration_seconds_count', { tool: 'generate_image' })).toBe(4);

    const model = { operation: 'generate' };
    const gemini = samples(text, 'nanobanana_gemini_calls_total').filter((s) => s.labels.operation === 'generate');
    expect(gemini.length).toBeGreaterThan(0);
    const modelId = gemini[0]?.labels.model ?? '';
    expect(
      sample(text, 'nanobanana_gemini_calls_total', { ...model, model: modelId, status: '429', attempt: '1' }),
    ).toBe(1);
    expect(
      sample(text, 'nanobanana_gemini_calls_total', { ...model, model: modelId, status: 'ok', attempt: '2' }),
    ).toBe(1);
    // Four generations answered: three images and one block (a 200 with a block reason).
    expect(sumOf(text, 'nanobanana_gemini_calls_total', { operation: 'generate', status: 'ok' })).toBe(4);
    expect(sample(text, 'nanobanana_gemini_retries_total', { operation: 'generate', model: modelId })).toBe(1);
    expect(sample(text, 'nanobanana_gemini_rate_limited_total', { model: modelId })).toBe(1);

    expect(sample(text, 'nanobanana_pipelines_finished_total', { kind: 'image', state: 'completed' })).toBe(3);
    expect(sample(text, 'nanobanana_pipelines_finished_total', { kind: 'image', state: 'failed' })).toBe(1);
    expect(sample(text, 'nanobanana_pipelines_submitted_total', { kind: 'image' })).toBe(4);
    expect(sample(text, 'nanobanana_queue_wait_seconds_count', { kind: 'image' })).toBe(4);
    expect(sample(text, 'nanobanana_queue_depth', {})).toBe(0);
    expect(sample(text, 'nanobanana_concurrency_limit', {})).toBeGreaterThan(0);
    expect(sumOf(text, 'nanobanana_spend_usd_total')).toBeGreaterThan(0);

    expect(sample(text, 'nanobanana_http_requests_total', { route: '/health', method: 'GET', status: '200' })).toBe(2);
    expect(sumOf(text, 'nanobanana_http_requests_total', { route: '/mcp', method: 'POST' })).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'nanobanana_process_resident_memory_bytes', {})).toBeGreaterThan(0);
    expect(text).toContain('# TYPE nanobanana_tool_call_duration_seconds histogram');

    // Bounded labels only: no prompt, person, path or id in any label value.
    for (const line of text.split('\n').filter((l) => !l.startsWith('#'))) {
      expect(line).not.toMatch(/kite|local|img_|pl_|req_/);
    }
  });

  it('names its routes from a fixed set, so scanning random paths adds no series', async () => {
    for (const p of ['/wp-admin/x', '/a/b/c', '/.env']) await fetch(`${studio.url}${p}`);
    const text = await (await fetch(`${studio.url}/metrics`)).text();
    expect(sample(text, 'nanobanana_http_requests_total', { route: 'other', method: 'GET', status: '404' })).toBe(3);
    expect(text).not.toContain('wp-admin');
  });
});

describe('metrics on a public bind', () => {
  it('are off without a token, and need the token once one is set', async () => {
    const open = await startStudio('http', { geminiUrl: emu.url, args: PUBLIC_NO_SIGN_IN, env: PUBLIC_ENV });
    try {
      const url = open.url?.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
    } finally {
      await open.close({ removeData: true });
    }
    const token = 'a-metrics-token-of-32-characters';
    const guarded = await startStudio('http', {
      geminiUrl: emu.url,
      args: PUBLIC_NO_SIGN_IN,
      env: { ...PUBLIC_ENV, STUDIO_METRICS_TOKEN: token },
    });
    try {
      const url = guarded.url?.replace('0.0.0.0', '127.0.0.1');
      const refused = await fetch(`${url}/metrics`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Bearer');
      expect(
        (await fetch(`${url}/metrics`, { headers: { Authorization: 'Bearer wrong-token-wrong-token-00' } })).status,
      ).toBe(401);
      const ok = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('nanobanana_process_cpu_seconds_total');
    } finally {
      await guarded.close({ removeData: true });
    }
  });
});

describe('request ids', () => {
  it('one id in the log lines, the pipeline record and the error text of a failed call', async () => {
    const studio = await startStudio('http', { geminiUrl: emu.url });
    try {
      const result = await studio.client.callTool({
        name: 'generate_image',
        arguments: { prompt: 'a lighthouse [emulator:block]' },
      });
      expect(result.isError).toBe(true);
      const reference = /\(reference: (req_[0-9a-f]{20})\)/.exec(textOf(result))?.[1];
      expect(reference, textOf(result)).toBeDefined();

      const db = new Database(path.join(studio.dataDir, 'studio.db'), { readonly: true });
      const rows = db.prepare('select request_id, status, error from pipelines').all() as Array<{
        request_id: string;
        status: string;
        error: string;
      }>;
      db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.request_id).toBe(reference);
      expect(rows[0]?.status).toBe('failed');
      expect(rows[0]?.error).toContain(`reference: ${reference}`);

      await new Promise((r) => setTimeout(r, 300));
      const lines = studio
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { reqId?: string; msg?: string });
      const mine = lines.filter((l) => l.reqId === reference);
      expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['tool call failed']));
      // Only this request's lines carry its id.
      expect(lines.filter((l) => l.reqId && l.reqId !== reference).every((l) => l.reqId?.startsWith('req_'))).toBe(
        true,
      );
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it("takes the caller's X-Request-Id or traceparent, and answers it in X-Request-Id", async () => {
    const studio = await startStudio('http', { geminiUrl: emu.url });
    try {
      const given = await fetch(`${studio.url}/health`, { headers: { 'X-Request-Id': 'proxy-abc-123' } });
      expect(given.headers.get('x-request-id')).toBe('proxy-abc-123');
      const traced = await fetch(`${studio.url}/health`, {
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      expect(traced.headers.get('x-request-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      // A forged id (a newline that would split a log line) is replaced by a fresh one.
      const forged = await fetch(`${studio.url}/nowhere`, { headers: { 'X-Request-Id': 'a'.repeat(200) } });
      const id = forged.headers.get('x-request-id');
      expect(id).toMatch(/^req_[0-9a-f]{20}$/);
      expect(((await forged.json()) as { reference?: string }).reference).toBe(id);
    } finally {
      await studio.close({ removeData: true });
    }
  });
});

describe('masked errors', () => {
  /** Breaks the images folder (a file where the folder must be): storing fails with a raw fs error and path. */
  async function breakStorage(dataDir: string) {
    await rm(path.join(dataDir, 'images'), { recursive: true, force: true });
    await writeFile(path.join(dataDir, 'images'), 'not a folder');
  }

  it('on a public bind an internal error shows no message, stack or path; the log keeps it', async () => {
    const studio = await startStudio('http', {
      geminiUrl: emu.url,
      args: PUBLIC_NO_SIGN_IN,
      env: PUBLIC_ENV,
    });
    try {
      await breakStorage(studio.dataDir);
      const result = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a bridge' } });
      expect(result.isError).toBe(true);
      const text = textOf(result);
      // Since issue 11 a storage failure says the image was made and billed; its raw cause stays in the log.
      expect(text).toMatch(/could not be stored \(the server log has the details\).*\(reference: req_[0-9a-f]{20}\)$/);
      expect(text).not.toContain(studio.dataDir);
      expect(text).not.toMatch(/ENOTDIR|EEXIST|\/tmp|at .*\.js|select |insert /i);
      await new Promise((r) => setTimeout(r, 300));
      expect(studio.stderr()).toContain(path.join(studio.dataDir, 'images'));
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it('an internal error behind /i/ (an unreadable image file) answers 500 with a reference and no path', async () => {
    const studio = await startStudio('http', { geminiUrl: emu.url, args: PUBLIC_NO_SIGN_IN, env: PUBLIC_ENV });
    try {
      const made = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a tower' } });
      const id = /Image (img_[a-z0-9]+)/.exec(textOf(made))?.[1] as string;
      const db = new Database(path.join(studio.dataDir, 'studio.db'), { readonly: true });
      const { blob_key: key, mime_type: mime } = db
        .prepare('select blob_key, mime_type from images where id = ?')
        .get(id) as {
        blob_key: string;
        mime_type: string;
      };
      db.close();
      // The file becomes a folder: reading it fails with EISDIR and its path.
      await rm(path.join(studio.dataDir, key));
      await mkdir(path.join(studio.dataDir, key));
      const url = studio.url?.replace('0.0.0.0', '127.0.0.1');
      const res = await fetch(`${url}/i/${id}.${mime === 'image/png' ? 'png' : 'jpg'}`);
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; message: string; reference: string };
      expect(body.error).toBe('internal');
      expect(body.reference).toBe(res.headers.get('x-request-id'));
      expect(body.message).toContain(`(reference: ${body.reference})`);
      expect(body.message).not.toMatch(/EISDIR|\/tmp|images\//);
      await new Promise((r) => setTimeout(r, 300));
      const logged = studio
        .stderr()
        .split('\n')
        .find((l) => l.includes('HTTP request failed'));
      expect(logged).toContain(body.reference);
      expect(logged).toContain('EISDIR');
    } finally {
      await studio.close({ removeData: true });
    }
  });

  it('STUDIO_EXPOSE_ERRORS=1 shows the detail (development)', async () => {
    const studio = await startStudio('http', {
      geminiUrl: emu.url,
      args: PUBLIC_NO_SIGN_IN,
      env: { ...PUBLIC_ENV, STUDIO_EXPOSE_ERRORS: '1' },
    });
    try {
      await breakStorage(studio.dataDir);
      const result = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a bridge' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(path.join(studio.dataDir, 'images'));
      expect(textOf(result)).toMatch(/\(reference: req_[0-9a-f]{20}\)$/);
    } finally {
      await studio.close({ removeData: true });
    }
  });
});

describe('traces over OTLP', () => {
  interface OtlpSpan {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    attributes?: Array<{ key: string; value: { stringValue?: string } }>;
  }

  it('a generation reaches a loopback OTLP/HTTP receiver as one trace, its stages and Gemini call as spans', async () => {
    // The receiver: OTLP/HTTP with JSON bodies (the exporter's default encoding), on 127.0.0.1.
    const received: OtlpSpan[] = [];
    const paths: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        const parsed = JSON.parse(body) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    const studio = await startStudio('http', {
      geminiUrl: emu.url,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    try {
      const result = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a windmill' } });
      expect(result.isError).toBeFalsy();
      const deadline = Date.now() + 10_000;
      const named = (name: string) => received.find((s) => s.name === name);
      while (Date.now() < deadline && !(named('tool generate_image') && named('stage store'))) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(paths[0]).toBe('POST /v1/traces application/json');
      const tool = named('tool generate_image');
      const pipeline = named('pipeline image');
      const generate = named('stage generate');
      const store = named('stage store');
      const gemini = named('gemini generate');
      expect([tool, pipeline, generate, store, gemini].every(Boolean), received.map((s) => s.name).join(', ')).toBe(
        true,
      );
      // One trace: tool call → pipeline → stages → the Gemini call inside the generate stage.
      const traceId = tool?.traceId;
      for (const span of [pipeline, generate, store, gemini]) expect(span?.traceId).toBe(traceId);
      expect(pipeline?.parentSpanId).toBe(tool?.spanId);
      expect(generate?.parentSpanId).toBe(pipeline?.spanId);
      expect(store?.parentSpanId).toBe(pipeline?.spanId);
      expect(gemini?.parentSpanId).toBe(generate?.spanId);
      const http = received.find((s) => s.name === 'HTTP POST /mcp' && s.spanId === tool?.parentSpanId);
      expect(http).toBeDefined();
      expect(gemini?.attributes?.find((a) => a.key === 'gen_ai.request.model')?.value.stringValue).toBe(
        'gemini-nano-banana-2.1',
      );
      // A caller's traceparent is continued: the request's span joins the caller's trace.
      await fetch(`${studio.url}/health`, {
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      const until = Date.now() + 10_000;
      const joined = () => received.find((s) => s.name === 'HTTP GET /health');
      while (Date.now() < until && !joined()) await new Promise((r) => setTimeout(r, 100));
      expect(joined()?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(joined()?.parentSpanId).toBe('00f067aa0ba902b7');
    } finally {
      await studio.close({ removeData: true });
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
