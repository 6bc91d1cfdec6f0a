/**
 * The HTTP app of `serve` (MCP at /mcp, /i/ links, /health, the dashboard at /ui) built in this test process
 * from the same factories the command line wires (src/cli/program.ts runHttp: createRuntime, then
 * startDashboard and createServeApp of src/cli/serveApp.ts), with sign-in off, on a temporary data folder, Gemini played by
 * the emulator. Requests go through Hono's `app.request()`: no socket, no browser.
 */
import { rm } from 'node:fs/promises';
import { createRuntime } from '../../src/cli/createRuntime.js';
import { createServeApp, startDashboard } from '../../src/cli/serveApp.js';
import { resolveConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Runtime } from '../../src/server/runtime.js';
import { makeDataDir } from './studio.js';

export interface InProcessApp {
  request(path: string, init?: RequestInit): Promise<Response>;
  runtime: Runtime;
  dataDir: string;
  close(): Promise<void>;
}

export const IN_PROCESS_ORIGIN = 'http://localhost';

export async function startInProcessApp(options: {
  geminiUrl: string;
  env?: Record<string, string>;
}): Promise<InProcessApp> {
  const dataDir = await makeDataDir();
  const config = resolveConfig({
    env: {
      HOME: process.env.HOME ?? '/tmp',
      STUDIO_DATA_DIR: dataDir,
      GEMINI_API_KEY: 'test-key',
      GEMINI_BASE_URL: options.geminiUrl,
      STUDIO_AUTO_STYLE: 'false',
      STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
      ...options.env,
    },
  });
  const log = silentLogger;
  const runtime = createRuntime(config, log, { readModelList: false });
  await runtime.studio();
  runtime.publicUrl = IN_PROCESS_ORIGIN;
  const ui = await startDashboard(config, runtime, undefined, log, undefined);
  const { app } = await createServeApp(config, runtime, { log, ui });
  return {
    // A socket would carry Host; app.request() does not unless told (the DNS-rebinding check wants one).
    request: async (path, init) => {
      const headers = new Headers(init?.headers);
      if (!headers.has('host')) headers.set('host', new URL(IN_PROCESS_ORIGIN).host);
      return app.request(new URL(path, IN_PROCESS_ORIGIN).toString(), { ...init, headers });
    },
    runtime,
    dataDir,
    close: async () => {
      await runtime.drain();
      await runtime.close();
      // A thumbnail still being written as it closes can refill a folder under rm: retry (ENOTEMPTY).
      await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** A dashboard visitor with sign-in off: keeps the session cookie, reads the form's CSRF token. */
export class DashboardVisitor {
  private cookie = '';
  csrf = '';
  constructor(private readonly app: InProcessApp) {}

  async get(path: string): Promise<Response> {
    const response = await this.app.request(path, { headers: this.headers() });
    this.keep(response);
    return response;
  }

  /** GETs `path` and reads the CSRF token from its first form. */
  async open(path: string): Promise<string> {
    const response = await this.get(path);
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return body;
  }

  async post(path: string, form: Record<string, string>, options: { csrf?: string | null } = {}): Promise<Response> {
    const fields = new URLSearchParams(form);
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf !== null) fields.set('_csrf', csrf);
    const response = await this.app.request(path, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
      redirect: 'manual',
    });
    this.keep(response);
    return response;
  }

  private headers(): Record<string, string> {
    return this.cookie ? { cookie: this.cookie } : {};
  }

  private keep(response: Response): void {
    const set = response.headers.get('set-cookie');
    const session = set ? /nbs_ui_session=([^;]+)/.exec(set)?.[1] : undefined;
    if (session) this.cookie = `nbs_ui_session=${session}`;
  }
}
