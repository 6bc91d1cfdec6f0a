#!/usr/bin/env node
// npm run bench (third part): the studio against mcp-image (a devDependency, the peer issue 14 names) on the
// SAME emulator process, interleaved, with the ratios in one run.
// - 200 concurrent generate_image calls at 3 s emulator latency: wall time, failures, peak RSS
// - server overhead per call at 1K and 4K (MCP round trip minus the emulator's own time)
// - stdio cold start (spawn → initialize result), next to a bare MCP SDK server's (the floor), and the
//   `tools` array of tools/list as JSON
// - what our inline preview costs: the overhead and the burst again with STUDIO_IMAGE_RESPONSES=none
// - ours only: start-up CPU with an empty folder and with 2,000 images; the dashboard's first view of 24
//   thumbnails with 2,000 images
// mcp-image is pointed at the emulator through GOOGLE_GEMINI_BASE_URL (read by @google/genai itself) with
// SKIP_PROMPT_ENHANCEMENT=true (its prompt rewrite, a text call, off: ours is off too, STUDIO_AUTO_STYLE=false).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startEmulator } from '../dist/emulator/index.js';
import { CLI, fmt, pct, printTable, startServe, studioEnv } from './shared.mjs';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const BURST = Number(args.get('burst') ?? 200);
const BURST_LATENCY_MS = Number(args.get('burst-latency-ms') ?? 3000);
const CALLS_1K = Number(args.get('calls-1k') ?? 20);
const CALLS_4K = Number(args.get('calls-4k') ?? 10);
const COLD_STARTS = Number(args.get('cold-starts') ?? 7);
const LIBRARY = Number(args.get('library') ?? 2000);
const PEER = path.join(path.dirname(createRequire(import.meta.url).resolve('mcp-image/package.json')), 'dist/index.js');

// mcp-image 0.14.0 asks for gemini-3.1-flash-image, which the emulator (like Google) shut down on
// 2026-10-29: the bench serves that id as a copy of its successor, Nano Banana 2.1, the model ours uses.
const emu = await startEmulator({ extraModels: [{ id: 'gemini-3.1-flash-image', like: 'gemini-nano-banana-2.1' }] });
const scratch = await mkdtemp(path.join(os.tmpdir(), 'nbs-peers-'));
const rows = [];
const ratioRow = (measure, ours, theirs, target, ok) =>
  rows.push([measure, ours, theirs, target === undefined ? '' : target, ok === undefined ? '' : ok ? 'yes' : 'NO']);

const servers = {
  ours: (extra = {}) => ({
    command: process.execPath,
    args: [CLI],
    env: studioEnv({ emuUrl: emu.url, dataDir: path.join(scratch, 'ours'), ...extra }),
  }),
  theirs: () => ({
    command: process.execPath,
    args: [PEER],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      GEMINI_API_KEY: 'bench-key',
      GOOGLE_GEMINI_BASE_URL: emu.url,
      SKIP_PROMPT_ENHANCEMENT: 'true',
      IMAGE_OUTPUT_DIR: path.join(scratch, 'theirs'),
    },
  }),
};

try {
  const ours = await connect(servers.ours());
  const theirs = await connect(servers.theirs());
  // Ours without the inline preview (STUDIO_IMAGE_RESPONSES=none), to say what the preview costs: theirs
  // answers with a file path only.
  const bare = await connect(
    servers.ours({ STUDIO_IMAGE_RESPONSES: 'none', STUDIO_DATA_DIR: path.join(scratch, 'bare') }),
  );
  const call = (side, prompt, size) =>
    side.client.callTool(
      {
        name: 'generate_image',
        arguments: side === theirs ? { prompt, imageSize: size } : { prompt, image_size: size },
      },
      { timeout: 600_000 },
    );

  // Tool list size, as a model receives it.
  const toolsBytes = async (side) => JSON.stringify((await side.client.listTools()).tools).length;
  const [toolsOurs, toolsTheirs] = [await toolsBytes(ours), await toolsBytes(theirs)];
  ratioRow(
    'tools array of tools/list (stdio)',
    `${(toolsOurs / 1024).toFixed(1)} KB`,
    `${(toolsTheirs / 1024).toFixed(1)} KB`,
    'ours ≤ 12 KB',
    toolsOurs <= 12 * 1024,
  );

  // Overhead per call, interleaved call by call so both see the same machine.
  const overhead = async (size, calls) => {
    const samples = { ours: [], theirs: [], bare: [] };
    for (let i = 0; i < calls + 3; i += 1) {
      for (const [name, side] of Object.entries({ ours, theirs, bare })) {
        const before = emu.stats().serverMsTotal;
        const t0 = performance.now();
        const result = await call(side, `bench overhead ${size} ${i % 4}`, size);
        const elapsed = performance.now() - t0;
        if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 400)}`);
        if (i >= 3) samples[name].push(elapsed - (emu.stats().serverMsTotal - before));
      }
    }
    return samples;
  };
  for (const [size, calls, factor] of [
    ['1K', CALLS_1K, 1],
    ['4K', CALLS_4K, 1.5],
  ]) {
    const s = await overhead(size, calls);
    const ratio = pct(s.ours, 50) / pct(s.theirs, 50);
    ratioRow(
      `overhead per call p50, ${size}`,
      `${fmt(pct(s.ours, 50))} ms`,
      `${fmt(pct(s.theirs, 50))} ms`,
      `ratio ${ratio.toFixed(2)} ≤ ${factor}`,
      ratio <= factor,
    );
    rows.push([
      `  the preview's share (ours with STUDIO_IMAGE_RESPONSES=none), ${size}`,
      `${fmt(pct(s.bare, 50))} ms without the preview`,
      '',
      `ratio ${(pct(s.bare, 50) / pct(s.theirs, 50)).toFixed(2)}`,
      '',
    ]);
  }

  // The burst: BURST concurrent calls at a realistic-ish latency, ours then theirs (same emulator).
  emu.faults.setGlobal({ latencyMs: BURST_LATENCY_MS });
  const burst = async (side) => {
    // Ours must come back with the picture (not "still running"); the peer answers with a file path.
    const t0 = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: BURST }, (_, i) => call(side, `bench burst ${i % 8}`, '1K')),
    );
    const failed = results.filter(
      (r) =>
        r.status === 'rejected' ||
        r.value.isError ||
        (side === ours && !r.value.content.some((c) => c.type === 'image')),
    ).length;
    return { wall: performance.now() - t0, failed };
  };
  // Twice each, in the order ours, theirs, bare, bare, theirs, ours (neither side always goes first, on an
  // emulator that has just served the other), best of two. The peak RSS is the burst's own: reset before
  // each (/proc/<pid>/clear_refs, 5), so the 4K calls above do not count, for either side.
  const bursts = { ours: [], theirs: [], bare: [] };
  const sides = { ours, theirs, bare };
  for (const name of ['ours', 'theirs', 'bare', 'bare', 'theirs', 'ours']) {
    const before = rssMb(sides[name].transport.pid);
    resetPeakRss(sides[name].transport.pid);
    bursts[name].push({ ...(await burst(sides[name])), rss: peakRssMb(sides[name].transport.pid), before });
  }
  const best = (runs) => runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  const [bOurs, bTheirs, bBare] = [best(bursts.ours), best(bursts.theirs), best(bursts.bare)];
  const burstRss = (runs) => Math.max(...runs.map((r) => r.rss));
  const both = (runs) => `${runs.map((r) => `${r.rss}`).join(' / ')} (from ${runs.map((r) => r.before).join(' / ')})`;
  emu.faults.setGlobal(null);
  const burstRatio = bOurs.wall / bTheirs.wall;
  ratioRow(
    `${BURST} concurrent calls, ${BURST_LATENCY_MS} ms latency: wall (best of 2)`,
    `${fmt(bOurs.wall)} ms, ${bOurs.failed} failed`,
    `${fmt(bTheirs.wall)} ms, ${bTheirs.failed} failed`,
    `ratio ${burstRatio.toFixed(2)} ≤ 1.3, none failed`,
    burstRatio <= 1.3 && [...bursts.ours].every((r) => r.failed === 0),
  );
  rows.push([
    `  the preview's share (ours with STUDIO_IMAGE_RESPONSES=none)`,
    `${fmt(bBare.wall)} ms, ${bBare.failed} failed, peak RSS ${both(bursts.bare)} MB`,
    '',
    `ratio ${(bBare.wall / bTheirs.wall).toFixed(2)}`,
    '',
  ]);
  const burstOurs = burstRss(bursts.ours);
  ratioRow(
    'peak RSS during the burst, first / second run (RSS as it began)',
    `${both(bursts.ours)} MB`,
    `${both(bursts.theirs)} MB`,
    'ours ≤ 600 MB',
    burstOurs <= 600,
  );
  await ours.client.close();
  await theirs.client.close();
  await bare.client.close();

  // Cold start, interleaved.
  const cold = { ours: [], theirs: [], floor: [] };
  const floor = { command: process.execPath, args: [path.join(import.meta.dirname, 'sdkFloor.mjs')], env: {} };
  for (let i = 0; i < COLD_STARTS; i += 1) {
    cold.ours.push((await startUp(servers.ours())).toInitialize);
    cold.theirs.push((await startUp(servers.theirs())).toInitialize);
    cold.floor.push((await startUp(floor)).toInitialize);
  }
  ratioRow(
    'stdio cold start p50 (spawn → initialize result)',
    `${fmt(pct(cold.ours, 50))} ms`,
    `${fmt(pct(cold.theirs, 50))} ms`,
    'ours ≤ 250 ms',
    pct(cold.ours, 50) <= 250,
  );
  rows.push([
    '  floor: a bare MCP SDK stdio server, no tools (bench/sdkFloor.mjs)',
    `${fmt(pct(cold.floor, 50))} ms`,
    '',
    `ours − floor ${fmt(pct(cold.ours, 50) - pct(cold.floor, 50))} ms`,
    '',
  ]);

  // Start-up CPU: an empty folder against one with LIBRARY images (ours only: the peer keeps no library).
  const emptyDir = path.join(scratch, 'empty');
  const libraryDir = path.join(scratch, 'library');
  await seedLibrary(libraryDir, LIBRARY);
  const cpu = { empty: [], library: [] };
  for (let i = 0; i < 9; i += 1) {
    cpu.empty.push((await startUp(servers.ours({ STUDIO_DATA_DIR: emptyDir }))).cpuMs);
    cpu.library.push((await startUp(servers.ours({ STUDIO_DATA_DIR: libraryDir }))).cpuMs);
  }
  const cpuRatio = pct(cpu.library, 50) / pct(cpu.empty, 50);
  rows.push([
    `start-up CPU p50 (to tools/list + 2 s idle), empty vs ${LIBRARY} images`,
    `${fmt(pct(cpu.empty, 50))} ms`,
    `${fmt(pct(cpu.library, 50))} ms`,
    `ratio ${cpuRatio.toFixed(2)} ≤ 1.10`,
    cpuRatio <= 1.1 ? 'yes' : 'NO',
  ]);

  // The dashboard's first view with LIBRARY images: the gallery page and its 24 thumbnails, fresh server.
  const serve = await startServe(studioEnv({ emuUrl: emu.url, dataDir: libraryDir }));
  // The browser is warm, not the server: this process's first fetch() loads and compiles undici (about
  // 40 ms here), which is not the dashboard's time. Six connections, as a browser opens, to another server.
  await Promise.all(Array.from({ length: 6 }, () => fetch(`${emu.url}/v1beta/models`).then((r) => r.arrayBuffer())));
  try {
    const view = async () => {
      const t0 = performance.now();
      const page = await (await fetch(`${serve.url}/ui`)).text();
      const thumbs = [...new Set([...page.matchAll(/\/ui\/thumb\/([A-Za-z0-9_]+)/g)].map((m) => m[1]))];
      // A browser fetches them over a handful of connections at once; 6 is Chromium's per-host limit.
      const queue = [...thumbs];
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          while (queue.length > 0) {
            const res = await fetch(`${serve.url}/ui/thumb/${queue.shift()}`);
            if (!res.ok) throw new Error(`thumbnail: ${res.status}`);
            await res.arrayBuffer();
          }
        }),
      );
      return { ms: performance.now() - t0, count: thumbs.length };
    };
    // The first view of a fresh server also pays for its lazy start (database, modules); the second is the
    // gallery alone (no browser cache: every thumbnail is fetched again).
    const first = await view();
    const second = await view();
    rows.push([
      `dashboard first view, ${first.count} thumbnails, ${LIBRARY} images (then again)`,
      `${fmt(first.ms)} ms (${fmt(second.ms)} ms)`,
      '',
      '≤ 100 ms',
      first.ms <= 100 && first.count === 24 ? 'yes' : 'NO',
    ]);
  } finally {
    await serve.stop();
  }
} finally {
  await emu.close();
  await rm(scratch, { recursive: true, force: true });
}

printTable(
  ['measure (peers: same emulator, interleaved)', 'nanobanana-studio', 'mcp-image 0.14.0', 'target', 'ok'],
  rows,
);
process.stderr.write(`node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}\n`);

async function connect(params) {
  const transport = new StdioClientTransport({ ...params, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/**
 * Spawns a server, times the initialize result, then lists the tools, waits 2 s (anything the server does in
 * the background after the handshake) and reads the CPU time the process used (user + system).
 */
function startUp(params) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(params.command, params.args, { env: params.env, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let toInitialize;
    const send = (message) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (toInitialize === undefined && out.includes('"id":1')) {
        toInitialize = performance.now() - t0;
        send({ method: 'notifications/initialized' });
        send({ id: 2, method: 'tools/list' });
      }
      if (toInitialize !== undefined && out.includes('"id":2')) {
        out = '';
        setTimeout(() => {
          const cpuMs = cpuTimeMs(child.pid);
          child.once('exit', () => resolve({ toInitialize, cpuMs }));
          child.kill('SIGTERM');
        }, 2000);
      }
    });
    child.on('error', reject);
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    });
  });
}

/** utime + stime of a live process, from /proc (clock ticks of 10 ms on Linux). */
function cpuTimeMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resets a process's peak RSS (VmHWM) to its current RSS: Linux's /proc/<pid>/clear_refs, value 5. */
function resetPeakRss(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function rssMb(pid) {
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
}

function peakRssMb(pid) {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return undefined;
  }
}

/**
 * A library of `count` images, quickly: 8 real ones made through the server, then their rows and files
 * copied under new ids (the start-up and gallery costs depend on the number of rows and files, not on
 * how different the pictures are).
 */
async function seedLibrary(dataDir, count) {
  const { client } = await connect(servers.ours({ STUDIO_DATA_DIR: dataDir }));
  for (let i = 0; i < 2; i += 1) {
    const made = await client.callTool({ name: 'generate_image', arguments: { prompt: `library ${i}`, n: 4 } });
    if (made.isError) throw new Error(JSON.stringify(made.content));
  }
  await new Promise((r) => setTimeout(r, 1000)); // background work after the answers (thumbnails)
  await client.close();
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(path.join(dataDir, 'studio.db'));
  const originals = db.prepare('select * from images').all();
  const columns = Object.keys(originals[0]);
  const insert = db.prepare(
    `insert into images (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const copyAll = db.transaction(() => {
    for (let i = originals.length; i < count; i += 1) {
      const from = originals[i % originals.length];
      const id = `img_seed${String(i).padStart(6, '0')}`;
      const blobKey = from.blob_key.replace(/[^/]+(\.\w+)$/, `${id}$1`);
      const file = path.join(dataDir, ...blobKey.split('/'));
      mkdirSync(path.dirname(file), { recursive: true });
      copyFileSync(path.join(dataDir, ...from.blob_key.split('/')), file);
      // Thumbnails are made when an image is stored (issue 14); the copies get theirs like the originals.
      const thumb = path.join(dataDir, 'thumbs', `${from.id}.webp`);
      if (existsSync(thumb)) copyFileSync(thumb, path.join(dataDir, 'thumbs', `${id}.webp`));
      const createdAt = new Date(Date.parse(from.created_at) - i * 1000).toISOString();
      insert.run({ ...from, id, blob_key: blobKey, created_at: createdAt, parent_id: null });
    }
  });
  copyAll();
  db.close();
}
