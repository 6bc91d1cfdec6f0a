// What the benchmarks share: the servers they start, percentiles, number formatting, and the Markdown
// table they print.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export const CLI = path.resolve(import.meta.dirname, '../dist/cli/main.js');
export function printTable(header, body) {
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
}

/** The p-th percentile (nearest rank). */
export function pct(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function fmt(ms) {
  return ms.toFixed(1);
}

/**
 * The environment of a server a benchmark starts: the emulator, a scratch data folder, quiet logs, and the
 * prompt sent as written (the figures measure the server, not the prompt-engineering text call).
 */
export function studioEnv({ emuUrl, dataDir, ...extra }) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: os.homedir(),
    STUDIO_DATA_DIR: dataDir,
    GEMINI_API_KEY: 'bench-key',
    GEMINI_BASE_URL: emuUrl,
    STUDIO_LOG_LEVEL: 'warn',
    STUDIO_AUTO_STYLE: 'false',
    ...extra,
  };
}

/** `serve` from the build on `port` (0: any); resolves once it listens, with its URL and a stop. */
export async function startServe(env, port = 0) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    child.stderr.on('data', (chunk) => {
      text += chunk;
      const match = /Listening on (http:\/\/\S+)\/mcp/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${text}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The state of pipeline `id` as a get_image (or generate_image) result says it: in structuredContent while it
 * runs; once completed the result carries its image and no structuredContent (Claude Code drops images beside
 * it), and its first line says the state ("Pipeline pl_…: completed.").
 */
export function pipelineStatus(result, id) {
  if (result.structuredContent?.status) return result.structuredContent.status;
  const text = result.content?.find((c) => c.type === 'text')?.text ?? '';
  return new RegExp(`^Pipeline ${id}: (\\w+)`).exec(text)?.[1];
}
