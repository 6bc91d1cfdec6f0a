#!/usr/bin/env node
// npm run bench:scale (also the second half of npm run bench): figures for several instances on one
// PostgreSQL database.
// - completed pipelines per second with 1, 2 and 3 HTTP instances at the same emulator latency
// - PostgreSQL round trips per pipeline, counted exactly by a loopback proxy between the instances and
//   PostgreSQL (every ReadyForQuery the server sends ends one round trip), and the idle rate
// - connections per instance: the most each instance held at once during the run (pg_stat_activity, by
//   the application_name every instance's connections carry), against the documented formula
// - notifying commits per pipeline: NOTIFY deliveries the proxy forwarded (each reaches every listening
//   instance), divided by the instances and the pipelines
// Needs STUDIO_TEST_DATABASE_URL (or --database-url=); each run gets a fresh schema, dropped after.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pg from 'pg';
import { startEmulator } from '../dist/emulator/index.js';
import { CLI, pipelineStatus, printTable, startServe, studioEnv } from './shared.mjs';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const DATABASE_URL = args.get('database-url') ?? process.env.STUDIO_TEST_DATABASE_URL;
const PIPELINES = Number(args.get('pipelines') ?? 48);
const LATENCY_MS = Number(args.get('latency-ms') ?? 1000);
const CONCURRENCY = Number(args.get('concurrency') ?? 4);
const INSTANCES = (args.get('instances') ?? '1,2,3').split(',').map(Number);
const IDLE_SECONDS = Number(args.get('idle-seconds') ?? 5);

if (!DATABASE_URL) {
  console.log('scale bench skipped: set STUDIO_TEST_DATABASE_URL (or --database-url=) to a PostgreSQL database.');
  process.exit(0);
}

const emu = await startEmulator({ latencyMs: LATENCY_MS });
const proxy = await startCountingProxy(new URL(DATABASE_URL));
const rows = [];
let baseline;
try {
  for (const count of INSTANCES) {
    const result = await runWith(count);
    baseline ??= result.perSecond;
    rows.push([
      `${count} instance${count > 1 ? 's' : ''} × ${CONCURRENCY}`,
      `${result.perSecond.toFixed(2)} /s`,
      `${(result.perSecond / baseline).toFixed(2)}×`,
      `${(result.wallMs / 1000).toFixed(1)} s (ideal ${((Math.ceil(PIPELINES / (count * CONCURRENCY)) * LATENCY_MS) / 1000).toFixed(1)} s)`,
      result.roundTripsPerPipeline.toFixed(1),
      `${result.idlePerSecond.toFixed(1)} /s`,
      `${result.peakConnections.join(' / ')} (≤ ${CONCURRENCY + 3 + 1})`,
      result.notifiesPerPipeline.toFixed(1),
    ]);
  }
} finally {
  await emu.close();
  proxy.close();
}
printTable(
  [
    'instances × concurrency',
    'pipelines/s',
    'vs 1',
    `${PIPELINES} pipelines, ${LATENCY_MS} ms each`,
    'PG round trips per pipeline',
    'idle PG round trips',
    'connections per instance, peak (formula)',
    'notifying commits per pipeline',
  ],
  rows,
);
process.stderr.write(
  `node ${process.version}, ${os.cpus().length} cores; PostgreSQL round trips and notifications counted at a loopback proxy; connections: pool (concurrency + 3) + 1 LISTEN per instance\n`,
);

async function runWith(count) {
  const schema = `nbs_bench_${process.pid}_${count}`;
  const admin = new pg.Client({ connectionString: withUser(DATABASE_URL) });
  await admin.connect();
  await admin.query(
    `drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade; create schema ${schema}`,
  );
  const url = new URL(withUser(DATABASE_URL));
  url.host = `127.0.0.1:${proxy.port}`;
  url.searchParams.set('options', `-c search_path=${schema}`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-bench-scale-'));
  const env = studioEnv({
    emuUrl: emu.url,
    dataDir,
    STUDIO_DATABASE_URL: url.toString(),
    STUDIO_CONCURRENCY: String(CONCURRENCY),
    STUDIO_SHUTDOWN_GRACE_SECONDS: '0',
  });
  const servers = [];
  try {
    await runProcess([CLI, 'migrate'], env);
    const appBase = `${schema}_i`;
    for (let i = 0; i < count; i += 1) {
      const tagged = new URL(url);
      tagged.searchParams.set('application_name', `${appBase}${i}`);
      servers.push(
        await startServer({ ...env, STUDIO_DATABASE_URL: tagged.toString(), STUDIO_INSTANCE_NAME: `bench-${i}` }),
      );
    }
    // Warm-up: one pipeline per instance (JIT, pools, pg-boss queue cache). The bench prompts repeat, so
    // the emulator renders from its cache and the figures measure the instances, not the image renderer.
    await Promise.all(servers.map((s, i) => generate(s.client, `warm-up ${i}`)));
    const idleStart = proxy.roundTrips();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idlePerSecond = (proxy.roundTrips() - idleStart) / IDLE_SECONDS;

    const tripsBefore = proxy.roundTrips();
    const notifiesBefore = proxy.notifications();
    const peak = Array.from({ length: count }, () => 0);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows: held } = await admin.query(
          `select application_name, count(*)::int as n from pg_stat_activity where application_name like $1 group by 1`,
          [`${appBase}%`],
        );
        for (let i = 0; i < count; i += 1) {
          const n = held
            .filter((r) => r.application_name.startsWith(`${appBase}${i}-`))
            .reduce((sum, r) => sum + r.n, 0);
          peak[i] = Math.max(peak[i], n);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    try {
      await Promise.all(
        Array.from({ length: PIPELINES }, (_, i) =>
          generate(servers[i % count].client, `scale bench ${i % 4}`, servers[(i + 1) % count].client),
        ),
      );
    } finally {
      sampling = false;
      await sampler;
    }
    const wallMs = performance.now() - t0;
    const trips = proxy.roundTrips() - tripsBefore;
    const notifies = proxy.notifications() - notifiesBefore;
    const idleShare = (idlePerSecond * wallMs) / 1000;
    return {
      wallMs,
      perSecond: PIPELINES / (wallMs / 1000),
      // Net of what the instances do when idle (queue polling, maintenance) over the same time.
      roundTripsPerPipeline: Math.max(0, trips - idleShare) / PIPELINES,
      idlePerSecond,
      peakConnections: peak,
      // Every NOTIFY reaches each instance's one LISTEN connection.
      notifiesPerPipeline: notifies / count / PIPELINES,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await admin.query(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** generate_image_async on one instance, get_image (long-poll) on another. */
async function generate(client, prompt, fetchWith = client) {
  const started = await client.callTool({ name: 'generate_image_async', arguments: { prompt, model: 'lite' } });
  if (started.isError) throw new Error(JSON.stringify(started.content));
  const [id] = started.structuredContent.pipeline_ids;
  for (;;) {
    const result = await fetchWith.callTool({ name: 'get_image', arguments: { pipeline_id: id, wait_seconds: 120 } });
    const status = pipelineStatus(result, id);
    if (status === 'completed') return;
    if (status !== 'queued' && status !== 'running') throw new Error(JSON.stringify(result.content));
  }
}

async function startServer(env) {
  const server = await startServe(env);
  const client = new Client({ name: 'bench-scale', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  return {
    client,
    async stop() {
      await client.close().catch(() => undefined);
      await server.stop();
    },
  };
}

function runProcess(argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (c) => {
      text += c;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} exited ${code}: ${text}`)),
    );
  });
}

/**
 * A TCP proxy to PostgreSQL that counts round trips: the server ends the answer to every simple query and
 * every extended-protocol Sync with one ReadyForQuery ('Z') message. The one at the end of each
 * connection's start-up is not counted.
 */
function startCountingProxy(target) {
  let count = 0;
  let notifications = 0;
  const server = net.createServer((clientSocket) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    let buffer = Buffer.alloc(0);
    let startupDone = false;
    upstream.on('data', (chunk) => {
      clientSocket.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 5) {
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) break;
        if (buffer[0] === 0x5a) {
          if (startupDone) count += 1;
          else startupDone = true;
        } else if (buffer[0] === 0x41) notifications += 1;
        buffer = buffer.subarray(1 + length);
      }
    });
    clientSocket.on('data', (chunk) => upstream.write(chunk));
    const end = () => {
      clientSocket.destroy();
      upstream.destroy();
    };
    clientSocket.on('error', end);
    upstream.on('error', end);
    clientSocket.on('close', end);
    upstream.on('close', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        roundTrips: () => count,
        notifications: () => notifications,
        close: () => server.close(),
      }),
    );
  });
}

function withUser(url) {
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = os.userInfo().username;
  return parsed.toString();
}
