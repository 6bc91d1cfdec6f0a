#!/usr/bin/env node
// npm run bench:signin (also part of npm run bench): what sign-in costs.
// - MCP round trip (tools/list over HTTP) without sign-in, with an OAuth access token (JWT checked
//   in-process) and with a personal access token (a hashed lookup in the database)
// - the whole sign-in of a new client: discovery, dynamic registration, authorization through a real
//   OpenID provider (oidc-provider on loopback), consent and the code exchange
// - the dashboard's gallery page and a thumbnail, server time as the client sees it
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { auth } from '@modelcontextprotocol/client';
import Provider from 'oidc-provider';
import { startEmulator } from '../dist/emulator/index.js';
import { CLI, fmt, pct, printTable, startServe, studioEnv } from './shared.mjs';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const CALLS = Number(args.get('calls') ?? 200);
const SIGN_INS = Number(args.get('sign-ins') ?? 10);
const SECRET = 'a-bench-secret-of-at-least-32-characters';

const emu = await startEmulator();
const dirs = [];
const stops = [];
try {
  const plainPort = await freePort();
  const authPort = await freePort();
  const origin = `http://127.0.0.1:${authPort}`;
  const idp = await startIdp([`${origin}/api/auth/callback/oidc`]);
  stops.push(idp.close);
  const plain = await startServer(plainPort, {});
  const signed = await startServer(authPort, {
    STUDIO_AUTH: 'on',
    STUDIO_OIDC_ISSUER: idp.issuer,
    STUDIO_OIDC_CLIENT_ID: 'bench',
    STUDIO_OIDC_CLIENT_SECRET: 'bench-secret',
    STUDIO_AUTH_SECRET: SECRET,
    STUDIO_ALLOWED_EMAILS: 'alice@example.com',
  });

  const signInTimes = [];
  let tokens;
  for (let i = 0; i < SIGN_INS; i += 1) {
    const t0 = performance.now();
    tokens = await signIn(origin);
    signInTimes.push(performance.now() - t0);
  }
  const pat = await makeToken(signed.dataDir);

  const rows = [];
  const measure = async (label, url, bearer) => {
    const samples = [];
    for (let i = 0; i < CALLS + 10; i += 1) {
      const t0 = performance.now();
      const res = await listTools(url, bearer);
      if (res.status !== 200) throw new Error(`${label}: ${res.status}`);
      await res.arrayBuffer();
      if (i >= 10) samples.push(performance.now() - t0);
    }
    return samples;
  };
  const none = await measure('no sign-in', `http://127.0.0.1:${plainPort}/mcp`);
  const jwt = await measure('OAuth', `${origin}/mcp`, tokens.access_token);
  const token = await measure('PAT', `${origin}/mcp`, pat);
  rows.push(['tools/list, no sign-in (loopback)', `p50 ${fmt(pct(none, 50))} ms`, `p99 ${fmt(pct(none, 99))} ms`, '']);
  rows.push([
    'tools/list, OAuth access token (JWT)',
    `p50 ${fmt(pct(jwt, 50))} ms`,
    `p99 ${fmt(pct(jwt, 99))} ms`,
    `${withSign(pct(jwt, 50) - pct(none, 50))} ms`,
  ]);
  rows.push([
    'tools/list, personal access token',
    `p50 ${fmt(pct(token, 50))} ms`,
    `p99 ${fmt(pct(token, 99))} ms`,
    `${withSign(pct(token, 50) - pct(none, 50))} ms`,
  ]);
  rows.push([
    `sign-in of a new client (${SIGN_INS}×)`,
    `p50 ${fmt(pct(signInTimes, 50))} ms`,
    `max ${fmt(Math.max(...signInTimes))} ms`,
    'DCR, PKCE, provider, consent, code',
  ]);

  // The dashboard with sign-in off (the loopback server): a gallery of 12 images and one thumbnail.
  const base = `http://127.0.0.1:${plainPort}`;
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  let imageId = '';
  for (let i = 0; i < 3; i += 1) {
    const made = await client.callTool({ name: 'generate_image', arguments: { prompt: `bench gallery ${i}`, n: 4 } });
    imageId = /img_[A-Za-z0-9]+/.exec(JSON.stringify(made.content))?.[0] ?? imageId;
  }
  await client.close();
  const page = await timeGets(`${base}/ui`, 50);
  const thumbFirst = await timeGets(`${base}/ui/thumb/${imageId}`, 1);
  const thumb = await timeGets(`${base}/ui/thumb/${imageId}`, 50);
  rows.push(['dashboard gallery page (12 images)', `p50 ${fmt(pct(page, 50))} ms`, `p99 ${fmt(pct(page, 99))} ms`, '']);
  rows.push(['thumbnail (first, then p50)', `${fmt(thumbFirst[0])} ms`, `p50 ${fmt(pct(thumb, 50))} ms`, '']);

  printTable(['measure', 'value', 'value', 'note'], rows);
  process.stderr.write(
    `node ${process.version}, ${os.cpus().length} cores; ${CALLS} calls per row, after 10 warm-up calls\n`,
  );
  await plain.stop();
  await signed.stop();
} finally {
  for (const stop of stops) await stop();
  await emu.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}

async function timeGets(url, count) {
  const samples = [];
  for (let i = 0; i < count; i += 1) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    samples.push(performance.now() - t0);
  }
  return samples;
}

function listTools(url, bearer) {
  return fetch(url, {
    method: 'POST',
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

/** A new client signs in: the SDK's auth() with an in-memory provider and a headless browser. */
async function signIn(origin) {
  const state = { tokens: undefined, verifier: '', client: undefined, callback: undefined };
  const redirectUrl = 'http://127.0.0.1:4999/callback';
  const provider = {
    redirectUrl,
    clientMetadata: {
      client_name: 'bench',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid email offline_access',
    },
    clientInformation: () => state.client,
    saveClientInformation: (c) => {
      state.client = c;
    },
    tokens: () => state.tokens,
    saveTokens: (t) => {
      state.tokens = t;
    },
    saveCodeVerifier: (v) => {
      state.verifier = v;
    },
    codeVerifier: () => state.verifier,
    redirectToAuthorization: async (url) => {
      state.callback = (await browse(url.toString(), redirectUrl)).searchParams;
    },
  };
  const serverUrl = `${origin}/mcp`;
  await auth(provider, { serverUrl });
  await auth(provider, { serverUrl, authorizationCode: state.callback.get('code'), iss: state.callback.get('iss') });
  return state.tokens;
}

async function makeToken(dataDir) {
  const out = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'token', 'create', '--email', 'alice@example.com', '--json'], {
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), STUDIO_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    let err = '';
    child.stdout.on('data', (c) => {
      text += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(err))));
  });
  return JSON.parse(out).token;
}

async function startServer(port, env) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-bench-signin-'));
  dirs.push(dataDir);
  const server = await startServe(
    studioEnv({ emuUrl: emu.url, dataDir, STUDIO_SHUTDOWN_GRACE_SECONDS: '0', ...env }),
    port,
  );
  return { dataDir, stop: server.stop };
}

async function startIdp(redirectUris) {
  const server = http.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const alice = { sub: 'alice-sub', email: 'alice@example.com', email_verified: true };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'bench',
        client_secret: 'bench-secret',
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: async (_ctx, sub) => (sub === alice.sub ? { accountId: sub, claims: async () => alice } : undefined),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['bench-cookie-key'] },
    pkce: { required: () => false },
    conformIdTokenClaims: false,
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (!req.url.startsWith('/interaction/')) return callback(req, res);
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login')
      return provider.interactionFinished(req, res, { login: { accountId: alice.sub } });
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });
  return { issuer, close: () => new Promise((r) => server.close(r)) };
}

/** Follows redirects as a browser would (node:http: Node's fetch announces itself as a script). */
async function browse(start, stopAt) {
  const jar = new Map();
  let url = start;
  let method = 'GET';
  let body;
  for (let hop = 0; hop < 30; hop += 1) {
    if (url.startsWith(stopAt)) return new URL(url);
    const origin = new URL(url).origin;
    const cookies = jar.get(origin) ?? new Map();
    const res = await request(url, {
      method,
      body,
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const set of [].concat(res.headers['set-cookie'] ?? [])) {
      const [pair] = set.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    jar.set(origin, cookies);
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.location, url).toString();
      continue;
    }
    const form = /<form method="post" action="([^"]+)">[\s\S]*?name="oauth_query" value="([^"]*)"/.exec(res.text);
    if (res.status === 200 && form) {
      url = new URL(form[1], url).toString();
      method = 'POST';
      const query = form[2].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
      body = new URLSearchParams({ oauth_query: query, accept: 'true' }).toString();
      continue;
    }
    throw new Error(`the browser stopped at ${res.status} ${url}`);
  }
  throw new Error('too many redirects');
}

function request(url, { method, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function withSign(ms) {
  return `${ms >= 0 ? '+' : '−'}${fmt(Math.abs(ms))}`;
}
