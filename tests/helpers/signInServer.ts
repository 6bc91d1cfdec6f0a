/**
 * The built server with sign-in on, and what a person's browser and an MCP client do to sign in to it:
 * a small redirect-following browser (node:http, so requests look like a browser's) and the MCP SDK
 * client's OAuth provider, in memory. Used by tests/signIn.spec.ts and tests/dashboard.spec.ts.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/client';
import { startEmulator } from './emulator.js';
import { startTestIdp, type TestUser } from './oidcProvider.js';
import { CLI, makeDataDir } from './studio.js';

/** A sign-in secret long enough for better-auth. */
export const SECRET = 'a-sign-in-secret-of-at-least-32-characters';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Free ports held open until `release()`: a port probed and closed at once can be handed by the kernel to
 * the next socket bound to port 0 (the test's own provider, another spec's server) before our server binds it.
 */
export async function reservePorts(count: number): Promise<{ ports: number[]; release(): Promise<void> }> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  return {
    ports: servers.map((server) => (server.address() as net.AddressInfo).port),
    release: async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

/** The built server over HTTP on `port`, without an MCP client (every client here has to sign in first). */
export async function startServer(
  port: number,
  env: Record<string, string>,
  dataDir?: string,
): Promise<{ stop(options?: { keepData?: boolean }): Promise<void>; dataDir: string; pid: number }> {
  const ownDir = dataDir ?? (await makeDataDir());
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      STUDIO_DATA_DIR: ownDir,
      STUDIO_AUTO_STYLE: 'false',
      STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
      GEMINI_API_KEY: 'test-key',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${text}`)));
  });
  return {
    dataDir: ownDir,
    pid: child.pid as number,
    async stop(options) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options?.keepData) await rm(ownDir, { recursive: true, force: true });
    },
  };
}

/** A browser's request (Node's fetch sends Sec-Fetch-Mode: cors, which makes better-auth answer with JSON). */
export function browserRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          for (const x of ([] as string[]).concat(v ?? [])) headers.append(k, x);
        resolve({ status: res.statusCode ?? 0, headers, text });
      });
    });
    req.on('error', reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

/**
 * Follows redirects (keeping cookies per origin in `jar` and clicking Allow on the consent page) until
 * `stopAt`.
 */
export async function browse(
  start: string,
  stopAt: string,
  jar = new Map<string, Map<string, string>>(),
): Promise<URL> {
  let url = start;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 30; hop += 1) {
    if (url.startsWith(stopAt)) return new URL(url);
    const origin = new URL(url).origin;
    const cookies = jar.get(origin) ?? new Map<string, string>();
    const headers: Record<string, string> = {
      cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      accept: 'text/html',
      'sec-fetch-mode': 'navigate',
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    };
    const res = await browserRequest(url, { method, headers, body });
    for (const set of res.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(set) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    jar.set(origin, cookies);
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') as string, url).toString();
      continue;
    }
    const form = /<form method="post" action="([^"]+)">[\s\S]*?name="oauth_query" value="([^"]*)"/.exec(res.text);
    if (res.status === 200 && form) {
      url = new URL(form[1] as string, url).toString();
      method = 'POST';
      const query = (form[2] as string).replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
      body = new URLSearchParams({ oauth_query: query, accept: 'true' }).toString();
      continue;
    }
    throw new Error(`the browser stopped at ${res.status} ${url}: ${res.text.slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}

/** The MCP SDK client's OAuth provider, in memory, with a headless browser for the authorization step. */
export class TestOAuthProvider {
  readonly redirectUrl = 'http://127.0.0.1:4999/callback';
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  callback: URLSearchParams | undefined;
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'sign-in test',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid email offline_access',
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  /** What real clients do when the server refuses their credentials (the SDK then signs in again). */
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.client = undefined;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  async redirectToAuthorization(url: URL) {
    this.callback = (await browse(url.toString(), this.redirectUrl)).searchParams;
  }
}

/** The settings that turn sign-in on against the test provider (add the allow-list and the rest). */
export function signInEnv(idp: { issuer: string; clientId: string; clientSecret: string }): Record<string, string> {
  return {
    STUDIO_AUTH: 'on',
    STUDIO_OIDC_ISSUER: idp.issuer,
    STUDIO_OIDC_CLIENT_ID: idp.clientId,
    STUDIO_OIDC_CLIENT_SECRET: idp.clientSecret,
    STUDIO_AUTH_SECRET: SECRET,
  };
}

/** tools/list over plain HTTP with a bearer token: the status says whether the token is accepted. */
export function listToolsWith(origin: string, accessToken: string): Promise<Response> {
  return fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

/** The emulator, the test OpenID provider and the server with sign-in on: the set-up most sign-in specs share. */
export async function startSignedInStudio(options: {
  currentUser: () => TestUser;
  allowedEmails: string;
  env?: Record<string, string>;
}) {
  const emu = await startEmulator();
  for (let attempt = 1; ; attempt++) {
    // Held while the provider binds its own port 0 (the kernel could hand it ours: that failed a CI run),
    // released just before the server binds it; another process can still take it in that gap, so a port
    // found taken is tried again with a new one.
    const reserved = await reservePorts(1);
    const port = reserved.ports[0] as number;
    const origin = `http://127.0.0.1:${port}`;
    const idp = await startTestIdp({
      redirectUris: [`${origin}/api/auth/callback/oidc`],
      currentUser: options.currentUser,
    });
    await reserved.release();
    try {
      const studio = await startServer(port, {
        GEMINI_BASE_URL: emu.url,
        ...signInEnv(idp),
        STUDIO_ALLOWED_EMAILS: options.allowedEmails,
        ...options.env,
      });
      return signedInStudio(origin, port, emu, idp, studio);
    } catch (error) {
      await idp.close();
      if (attempt >= 3 || !String(error).includes('already in use')) {
        await emu.close();
        throw error;
      }
    }
  }
}

function signedInStudio(
  origin: string,
  port: number,
  emu: Awaited<ReturnType<typeof startEmulator>>,
  idp: Awaited<ReturnType<typeof startTestIdp>>,
  studio: Awaited<ReturnType<typeof startServer>>,
) {
  return {
    origin,
    port,
    emu,
    idp,
    studio,
    async stop() {
      await studio.stop();
      await idp.close();
      await emu.close();
    },
  };
}
