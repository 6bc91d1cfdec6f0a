#!/usr/bin/env node
// npm run bench: figures for the core studio, printed as a table.
// - server overhead per generate_image call (MCP round trip minus the emulator's own time) at 1K and 4K
// - wall time of n=4 against n=1 with a realistic emulator latency
// - stdio cold start (spawn to the initialize result)
// - peak RSS of the server, and the largest tool result
// Everything runs the built CLI (dist/) through the real MCP client against the project's emulator.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startEmulator } from '../dist/emulator/index.js';
import { CLI, fmt, pct, pipelineStatus, printTable, studioEnv } from './shared.mjs';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const CALLS_1K = Number(args.get('calls-1k') ?? 40);
const CALLS_4K = Number(args.get('calls-4k') ?? 20);
const COLD_STARTS = Number(args.get('cold-starts') ?? 10);
const LATENCY_MS = Number(args.get('latency-ms') ?? 1500);
const PIPELINES = Number(args.get('pipelines') ?? 50);
const POOL = Number(args.get('pool') ?? 8);
const PIPELINE_LATENCY_MS = Number(args.get('pipeline-latency-ms') ?? 2000);
const WAKEUPS = Number(args.get('wakeups') ?? 30);

const emu = await startEmulator();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-bench-'));
const rows = [];
let maxResultBytes = 0;

try {
  const { client, transport } = await connect();
  const serverPid = transport.pid;

  const overhead = async (size, calls) => {
    const samples = [];
    const run = async (i) => {
      const before = emu.stats();
      const t0 = performance.now();
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: `bench ${size} ${i % 4}`, image_size: size },
      });
      const elapsed = performance.now() - t0;
      const after = emu.stats();
      if (result.isError) throw new Error(JSON.stringify(result.content));
      maxResultBytes = Math.max(maxResultBytes, JSON.stringify(result).length);
      return elapsed - (after.serverMsTotal - before.serverMsTotal);
    };
    for (let i = 0; i < 4; i += 1) await run(i); // warm-up: emulator render cache, JIT
    for (let i = 0; i < calls; i += 1) samples.push(await run(i));
    return samples;
  };

  const s1k = await overhead('1K', CALLS_1K);
  const s4k = await overhead('4K', CALLS_4K);
  rows.push([
    'overhead per call, 1K',
    `p50 ${fmt(pct(s1k, 50))} ms`,
    `p99 ${fmt(pct(s1k, 99))} ms`,
    'p50 ≤ 25 ms',
    pass(pct(s1k, 50) <= 25),
  ]);
  rows.push([
    'overhead per call, 4K',
    `p50 ${fmt(pct(s4k, 50))} ms`,
    `p99 ${fmt(pct(s4k, 99))} ms`,
    'p50 ≤ 200 ms',
    pass(pct(s4k, 50) <= 200),
  ]);

  emu.faults.setGlobal({ latencyMs: LATENCY_MS });
  const wall = async (n) => {
    const t0 = performance.now();
    const result = await client.callTool({ name: 'generate_image', arguments: { prompt: `bench parallel ${n}`, n } });
    if (result.isError) throw new Error(JSON.stringify(result.content));
    maxResultBytes = Math.max(maxResultBytes, JSON.stringify(result).length);
    return performance.now() - t0;
  };
  const one = [];
  const four = [];
  for (let i = 0; i < 5; i += 1) {
    one.push(await wall(1));
    four.push(await wall(4));
  }
  emu.faults.setGlobal(null);
  const ratio = pct(four, 50) / pct(one, 50);
  rows.push([
    `n=4 vs n=1 wall (${LATENCY_MS} ms latency)`,
    `n=1 ${fmt(pct(one, 50))} ms`,
    `n=4 ${fmt(pct(four, 50))} ms`,
    'ratio ≤ 1.2',
    `${ratio.toFixed(2)} ${pass(ratio <= 1.2)}`,
  ]);

  const rss = peakRssMb(serverPid);
  await client.close();

  // Pipelines: 50 asynchronous ones on a pool of 8 with 2 s of emulator latency each.
  {
    const { client: pool } = await connect({ STUDIO_CONCURRENCY: String(POOL) });
    emu.faults.setGlobal({ latencyMs: PIPELINE_LATENCY_MS });
    const t0 = performance.now();
    const ids = [];
    await Promise.all(
      Array.from({ length: PIPELINES }, async (_, i) => {
        const started = await pool.callTool({
          name: 'generate_image_async',
          arguments: { prompt: `bench pool ${i % 4}` },
        });
        ids.push(...started.structuredContent.pipeline_ids);
      }),
    );
    const finals = await Promise.all(
      ids.map((id) =>
        pool.callTool({ name: 'get_image', arguments: { pipeline_id: id, wait_seconds: 270 } }, { timeout: 300_000 }),
      ),
    );
    const elapsed = performance.now() - t0;
    emu.faults.setGlobal(null);
    const completed = finals.filter((f, i) => pipelineStatus(f, ids[i]) === 'completed').length;
    const expected = Math.ceil(PIPELINES / POOL) * PIPELINE_LATENCY_MS;
    rows.push([
      `${PIPELINES} async pipelines, pool ${POOL}, ${PIPELINE_LATENCY_MS} ms latency`,
      `expected ≈ ${fmt(expected)} ms (${Math.ceil(PIPELINES / POOL)} waves)`,
      `measured ${fmt(elapsed)} ms`,
      `${completed}/${PIPELINES} completed`,
      pass(completed === PIPELINES && elapsed < expected * 1.25),
    ]);

    // Long-poll wake-up: how long after a pipeline finished does the waiting get_image answer arrive.
    const wake = [];
    for (let i = 0; i < WAKEUPS; i += 1) {
      const started = await pool.callTool({
        name: 'generate_image_async',
        arguments: { prompt: `bench wake ${i % 4}` },
      });
      const [id] = started.structuredContent.pipeline_ids;
      const result = await pool.callTool({ name: 'get_image', arguments: { pipeline_id: id, wait_seconds: 60 } });
      const received = Date.now();
      if (pipelineStatus(result, id) !== 'completed') throw new Error(JSON.stringify(result.content).slice(0, 400));
      // The last stage's end, stamped by the server (same machine, same clock) just before completion, from
      // the pipeline's snapshot (cancel_pipeline returns a finished pipeline unchanged, with its snapshot).
      const snapshot = (await pool.callTool({ name: 'cancel_pipeline', arguments: { pipeline_id: id } }))
        .structuredContent;
      const finishedAt = Date.parse(snapshot.stages.at(-1).finished_at);
      wake.push(received - finishedAt);
    }
    rows.push([
      'long-poll wake-up after completion',
      `p50 ${fmt(pct(wake, 50))} ms`,
      `p99 ${fmt(pct(wake, 99))} ms`,
      'p50 ≤ 50 ms',
      pass(pct(wake, 50) <= 50),
    ]);
    await pool.close();
  }

  const cold = [];
  for (let i = 0; i < COLD_STARTS; i += 1) cold.push(await coldStart());
  rows.push([
    'stdio cold start (spawn → initialize result)',
    `p50 ${fmt(pct(cold, 50))} ms`,
    `max ${fmt(Math.max(...cold))} ms`,
    '≤ 400 ms',
    pass(pct(cold, 50) <= 400),
  ]);
  rows.push(['peak RSS of the stdio server', `${rss ?? '?'} MB`, '', '', '']);
  rows.push([
    'largest tool result',
    `${(maxResultBytes / 1e6).toFixed(3)} MB`,
    '',
    '< 1 MB',
    pass(maxResultBytes < 1_000_000),
  ]);
} finally {
  await emu.close();
  await rm(dataDir, { recursive: true, force: true });
}

printTable(['measure', 'value', 'value', 'target', 'ok'], rows);
process.stderr.write(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n`);

/** The environment of every server this benchmark starts: the emulator, a scratch data folder. */
function serverEnv(extra = {}) {
  return studioEnv({ emuUrl: emu.url, dataDir, ...extra });
}

async function connect(extra = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: serverEnv(extra),
    stderr: 'inherit',
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

function coldStart() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI], {
      env: serverEnv(),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"result"')) {
        const elapsed = performance.now() - t0;
        child.kill('SIGTERM');
        resolve(elapsed);
      }
    });
    child.on('error', reject);
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`,
    );
  });
}

function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return undefined;
  }
}

function pass(ok) {
  return ok ? 'yes' : 'NO';
}
