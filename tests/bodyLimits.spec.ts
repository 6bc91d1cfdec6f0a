/**
 * Every route but /mcp has a body limit that fits it, enforced while the body streams in: the sign-in
 * routes are open to anyone before signing in, so a large body must be refused with 413 after a few KB,
 * not read whole. Bodies are sent the hostile way: chunked (no Content-Length), at the pace the server
 * takes them, and the server's resident memory (VmRSS and its peak, VmHWM, from /proc) is measured.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignedInStudio } from './helpers/signInServer.js';

const MB = 1024 * 1024;

/** Resident memory of a process, now and at its peak, in MB (Linux /proc). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * POSTs up to `total` bytes in 16 KB chunks over a raw socket, chunked (or with a Content-Length when
 * `declared`), writing as fast as the socket drains, or one chunk every 2 ms when `paced` (so that what
 * was written when the answer came is close to what the server had read); stops writing when the answer
 * comes. A raw socket, because the server closes the connection after its 413 and an HTTP client would
 * report the failed write instead of the answer. Returns the status and how much had been written by then.
 */
function hostilePost(
  url: string,
  total: number,
  options: { type: string; declared?: boolean; paced?: boolean; pauseAfter?: number },
): Promise<{ status: number; sent: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(target.port), target.hostname);
    const chunked = !options.declared;
    const chunk = Buffer.alloc(16 * 1024, options.type.includes('json') ? 0x20 : 0x61);
    const frame = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
    let sent = 0;
    let answer = '';
    let answered = false;
    socket.on('data', (d) => {
      answer += d.toString();
      answered = true;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      // Status 0: the server reset the connection before its answer could be read (a body sent flat out).
      resolve({ status, sent, text: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
    });
    const pump = () => {
      while (!answered && sent < total && !socket.destroyed) {
        // Stop short of the whole body and wait: only a server that answers without the rest answers at all.
        if (options.pauseAfter !== undefined && sent >= options.pauseAfter) {
          setTimeout(() => socket.destroy(), 15_000).unref();
          return;
        }
        sent += chunk.length;
        if (!socket.write(frame)) {
          socket.once('drain', pump);
          return;
        }
        if (options.paced) {
          setTimeout(pump, 2);
          return;
        }
      }
      if (answered) setTimeout(() => socket.destroy(), 50);
      else if (sent >= total && chunked) socket.write('0\r\n\r\n');
    };
    socket.on('connect', () => {
      const length = chunked ? 'transfer-encoding: chunked' : `content-length: ${total}`;
      socket.write(
        `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: ${options.type}\r\n${length}\r\nconnection: close\r\n\r\n`,
      );
      // A declared length over the limit is refused from the headers alone: give the answer a moment.
      if (options.declared) setTimeout(pump, 200);
      else pump();
    });
  });
}

describe('body limits on every route but /mcp', () => {
  let signedIn: Awaited<ReturnType<typeof startSignedInStudio>>;

  beforeAll(async () => {
    signedIn = await startSignedInStudio({ currentUser: () => 'alice', allowedEmails: 'alice@example.com' });
  }, 60_000);
  afterAll(async () => {
    await signedIn?.stop();
  });

  const FORM = 'application/x-www-form-urlencoded';
  const JSON_TYPE = 'application/json';
  // The routes anyone can reach before signing in, and a dashboard form.
  const routes: Array<[string, string]> = [
    ['/consent', FORM],
    ['/api/auth/oauth2/register', JSON_TYPE],
    ['/api/auth/oauth2/token', FORM],
    ['/api/auth/oauth2/revoke', FORM],
    ['/api/auth/sign-in/social', JSON_TYPE],
    ['/login', FORM],
    ['/.well-known/oauth-authorization-server/api/auth', JSON_TYPE],
    ['/ui/settings/tokens', FORM],
  ];

  it('a 1 MB chunked body to each sign-in route is refused with 413 before it is read, memory flat', async () => {
    const before = await memoryOf(signedIn.studio.pid);
    for (const [path, type] of routes) {
      // A quarter of the megabyte, then silence: the 413 must come without the rest (no race with the clock).
      const res = await hostilePost(`${signedIn.origin}${path}`, MB, { type, paced: true, pauseAfter: MB / 4 });
      expect(res.status, `${path}: ${res.text}`).toBe(413);
      expect(JSON.parse(res.text).message).toMatch(/larger than \d+ KB/);
      expect(res.sent, path).toBeLessThanOrEqual(MB / 4);
      const declared = await hostilePost(`${signedIn.origin}${path}`, MB, { type, declared: true });
      expect(declared.status, path).toBe(413);
    }
    // 64 MB more, chunked and flat out, to the registration and consent endpoints, ten times each.
    for (let round = 0; round < 10; round += 1) {
      for (const [path, type] of [routes[0], routes[1]] as Array<[string, string]>) {
        const res = await hostilePost(`${signedIn.origin}${path}`, 64 * MB, { type });
        // Sent flat out, the 413 may be lost in the reset of the connection; either way it stopped early.
        if (res.status !== 0) expect(res.status).toBe(413);
        expect(res.sent).toBeLessThan(64 * MB);
      }
    }
    const after = await memoryOf(signedIn.studio.pid);
    console.error(
      `body limits: server RSS ${before.rss.toFixed(0)} -> ${after.rss.toFixed(0)} MB, peak ${before.peak.toFixed(0)} -> ${after.peak.toFixed(0)} MB`,
    );
    expect(after.peak - before.peak).toBeLessThan(24);
    expect(after.rss - before.rss).toBeLessThan(24);
  }, 120_000);

  it('/mcp keeps its own limit, but reads no body before the bearer token is checked', async () => {
    const before = await memoryOf(signedIn.studio.pid);
    // 8 MB of JSON, chunked, at the pace the server reads it, with no token: refused at once, not read.
    const res = await hostilePost(`${signedIn.origin}/mcp`, 8 * MB, { type: JSON_TYPE, paced: true });
    expect(res.status, res.text).toBe(401);
    expect(res.sent).toBeLessThan(MB);
    for (let round = 0; round < 10; round += 1) {
      const flat = await hostilePost(`${signedIn.origin}/mcp`, 60 * MB, { type: JSON_TYPE });
      if (flat.status !== 0) expect(flat.status).toBe(401);
      expect(flat.sent).toBeLessThan(60 * MB);
    }
    const after = await memoryOf(signedIn.studio.pid);
    console.error(
      `/mcp without a token: server RSS ${before.rss.toFixed(0)} -> ${after.rss.toFixed(0)} MB, peak ${before.peak.toFixed(0)} -> ${after.peak.toFixed(0)} MB`,
    );
    expect(after.peak - before.peak).toBeLessThan(24);
  }, 120_000);

  it('bodies within the limit still get through (a client registration of a real size)', async () => {
    const res = await fetch(`${signedIn.origin}/api/auth/oauth2/register`, {
      method: 'POST',
      headers: { 'content-type': JSON_TYPE },
      body: JSON.stringify({
        client_name: 'Claude Code (nanobanana)',
        redirect_uris: ['http://127.0.0.1:49152/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(((await res.json()) as { client_id: string }).client_id).toBeTruthy();
  });
});
