/**
 * Starts the built CLI (dist/cli/main.js) as a real process, over stdio or HTTP on port 0, and connects
 * the real MCP client SDK to it. Gemini is the project's emulator, started in this test process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export type TransportKind = 'stdio' | 'http';
export const CLI = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

export interface StudioProcess {
  client: Client;
  transport: TransportKind;
  dataDir: string;
  /** Base URL of the HTTP server (http only). */
  url?: string;
  stderr(): string;
  /** The server's JSON log lines (stderr) so far, parsed; other lines are passed over. */
  logLines(): LogLine[];
  /**
   * Stops the server (HTTP: SIGTERM, then SIGKILL if it has not exited after `killAfterMs`, 15 s by
   * default: the server's own limit after its grace period); the data folder is kept unless `removeData`.
   */
  close(options?: { removeData?: boolean; killAfterMs?: number }): Promise<void>;
  /** SIGKILL, no cleanup (crash tests). */
  kill(): void;
  pid(): number | undefined;
}

/** One pino log line: `time` is the server's clock (ms since the epoch) when it logged `msg`. */
export type LogLine = { time: number; level: number; msg?: string } & Record<string, unknown>;

export function parseLogLines(stderr: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (typeof parsed.time === 'number') lines.push(parsed);
    } catch {
      // a line cut by the chunking, or not a log line
    }
  }
  return lines;
}

export interface StartOptions {
  geminiUrl?: string;
  apiKey?: string | null;
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  clientCapabilities?: ConstructorParameters<typeof Client>[1];
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'nbs-test-'));
}

export async function startStudio(kind: TransportKind, options: StartOptions = {}): Promise<StudioProcess> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    STUDIO_DATA_DIR: dataDir,
    STUDIO_LOG_LEVEL: 'debug',
    // Prompts go to Gemini as written unless a test turns prompt engineering on (tests/pipelines.spec.ts).
    STUDIO_AUTO_STYLE: 'false',
    // Stopping a server hands its running pipelines back at once (resumed on the next start) instead of
    // letting them finish; tests/scaleOut.spec.ts covers the grace period.
    STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
    ...(options.geminiUrl ? { GEMINI_BASE_URL: options.geminiUrl } : {}),
    ...(options.apiKey === null ? {} : { GEMINI_API_KEY: options.apiKey ?? 'test-key' }),
    ...options.env,
  };
  const client = new Client({ name: 'nbs-tests', version: '1.0.0' }, options.clientCapabilities);
  let stderr = '';
  if (kind === 'stdio') {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, ...(options.args ?? [])],
      env,
      stderr: 'pipe',
      cwd: '/',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await client.connect(transport);
    return {
      client,
      transport: kind,
      dataDir,
      stderr: () => stderr,
      logLines: () => parseLogLines(stderr),
      pid: () => transport.pid ?? undefined,
      kill: () => {
        if (transport.pid) process.kill(transport.pid, 'SIGKILL');
      },
      close: async (o) => {
        await client.close();
        if (o?.removeData) await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.args ?? [])], {
    env,
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await waitForListening(child, (chunk) => {
    stderr += chunk;
  });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`));
  await client.connect(transport);
  return {
    client,
    transport: kind,
    dataDir,
    url,
    stderr: () => stderr,
    logLines: () => parseLogLines(stderr),
    pid: () => child.pid,
    kill: () => child.kill('SIGKILL'),
    close: async (o) => {
      await client.close().catch(() => {});
      await stopChild(child, o?.killAfterMs ?? 15_000);
      if (o?.removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function waitForListening(child: ChildProcess, onStderr: (chunk: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    // Generous: it only stops a start that hangs. On a loaded machine (2 cores, several suites) a start on
    // PostgreSQL and S3 took over 20 s while still making progress (scaleOut spec, issue 17).
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 55_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      const s = chunk.toString();
      text += s;
      onStderr(s);
      const match = /Listening on (http:\/\/\S+)\/mcp/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${text}`));
    });
  });
}

async function stopChild(child: ChildProcess, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Text of all text blocks of a tool result. */
export function textOf(result: { content?: unknown }): string {
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return content
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('\n');
}

export function imagesOf(result: { content?: unknown }): Array<{ data: string; mimeType: string }> {
  const content = (result.content ?? []) as Array<{ type: string; data?: string; mimeType?: string }>;
  return content.filter((b) => b.type === 'image').map((b) => ({ data: b.data ?? '', mimeType: b.mimeType ?? '' }));
}

export function idsOf(result: { content?: unknown }): string[] {
  return [...textOf(result).matchAll(/Image (img_[a-z0-9]+)/g)].map((m) => m[1] as string);
}

/** A get_image or cancel_pipeline snapshot, as the tests read it. */
export interface PipelineSnapshot {
  pipeline_id: string;
  status: string;
  progress_percent?: number;
  stage?: string;
  stages?: Array<{ name: string; state: string }>;
  results: Array<{ image_id: string; url?: string; path?: string; thumbnail?: string }>;
  error?: { code: string; message: string };
}

/**
 * The snapshot of a get_image answer: its structuredContent while the pipeline has no image, else read
 * from the text (get_image answers with the image and no structuredContent, which would make Claude Code
 * drop the image: anthropics/claude-code#54737).
 */
export function snapshotOf(result: { content?: unknown; structuredContent?: unknown }): PipelineSnapshot {
  if (result.structuredContent) return result.structuredContent as PipelineSnapshot;
  const text = textOf(result);
  const head = /Pipeline (pl_[A-Za-z0-9]+): (\w+)/.exec(text);
  const results = text
    .split(/\n(?=Image img_)/)
    .map((block) => ({
      image_id: /Image (img_[a-z0-9]+)/.exec(block)?.[1] ?? '',
      url: /- url: (\S+)/.exec(block)?.[1],
      path: /- file: (\S+)/.exec(block)?.[1],
    }))
    .filter((r) => r.image_id !== '');
  return { pipeline_id: head?.[1] ?? '', status: head?.[2] ?? 'unknown', results };
}
