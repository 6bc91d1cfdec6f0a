/**
 * The command line for people (generate, edit, list, open, cost) as a real process against the built CLI,
 * with Gemini played by the emulator and a temporary data folder: output for people and for scripts,
 * the data folder shared with the MCP server, exit codes, progress on a pseudo-terminal and when piped,
 * and Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, generateRequests, marker, startEmulator } from './helpers/emulator.js';
import { CLI, makeDataDir, startStudio, textOf } from './helpers/studio.js';

interface JsonImage {
  id: string;
  pipeline_id?: string;
  kind: string;
  parent_id: string | null;
  prompt: string;
  model: string;
  model_id: string;
  image_size: string;
  aspect_ratio: string;
  width: number;
  height: number;
  cost_usd: number;
  path: string;
  output_path?: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let emu: Emulator;
let dataDir: string;
let workDir: string;

beforeAll(async () => {
  emu = await startEmulator();
  dataDir = await makeDataDir();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-cwd-'));
});
afterAll(async () => {
  await emu?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

function envFor(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    STUDIO_DATA_DIR: dataDir,
    GEMINI_BASE_URL: emu.url,
    GEMINI_API_KEY: 'test-key',
    STUDIO_AUTO_STYLE: 'false',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

function start(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env: envFor(env), cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finish(child: ChildProcess, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c) => {
      stdout += c;
    });
    child.stderr?.on('data', (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const cli = (args: string[], env: Record<string, string | undefined> = {}) => finish(start(args, env));

function parse<T>(run: Run): T {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('nanobanana-studio generate, edit, list, open, cost', () => {
  let first: JsonImage[] = [];
  const m = marker('cli');

  it('generate -n 2 --size 2k --ratio 16:9 --out ./dir --json: two images, right pixels, copies, plain progress', async () => {
    const args = ['-n', '2', '--size', '2k', '--ratio', '16:9', '--out', './shots', '--json'];
    const run = await cli(['generate', `a lighthouse at dusk ${m}`, ...args]);
    const out = parse<{ images: JsonImage[]; failed: unknown[]; total_cost_usd: number }>(run);
    expect(out.failed).toEqual([]);
    expect(out.images).toHaveLength(2);
    first = out.images;
    for (const image of out.images) {
      expect(image).toMatchObject({
        kind: 'generate',
        model: 'nb2.1',
        model_id: 'gemini-nano-banana-2.1',
        image_size: '2K',
        aspect_ratio: '16:9',
        parent_id: null,
      });
      expect(image.id).toMatch(/^img_/);
      expect(image.pipeline_id).toMatch(/^pl_/);
      expect(image.cost_usd).toBeCloseTo(0.0504, 6); // nb2.1 at 2K
      expect(path.isAbsolute(image.path)).toBe(true);
      expect(image.path.startsWith(dataDir)).toBe(true);
      const meta = await sharp(image.path).metadata();
      expect([meta.width, meta.height]).toEqual([image.width, image.height]);
      expect(image.width / image.height).toBeCloseTo(16 / 9, 1);
      expect(image.width).toBeGreaterThan(2000);
      // --out ./shots: a folder that did not exist, relative to the current directory.
      expect(image.output_path?.startsWith(path.join(workDir, 'shots') + path.sep)).toBe(true);
      expect((await stat(image.output_path as string)).size).toBeGreaterThan(0);
    }
    expect(out.total_cost_usd).toBeCloseTo(0.1008, 6);
    // Piped stderr: plain progress lines, no ANSI escapes.
    expect(run.stderr).toMatch(/^image 1\/2: generate \d+%$/m);
    expect(run.stderr).toMatch(/^image 2\/2: done 100%$/m);
    expect(run.stderr).not.toContain('\x1b');
  });

  it('generate for people: one line per image with id, size, pixels, cost and file', async () => {
    const run = await cli(['generate', 'a', 'red', 'kite', m, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^img_\\S+  nb2\\.1 1K 1:1  1024x1024  \\$0\\.0336  ${escapeRegExp(dataDir)}/images/\\S+\\.jpg$`),
    );
    expect(run.stderr).toBe('');
  });

  it('list and list --json show them, newest first; --search filters', async () => {
    const listed = parse<{ images: JsonImage[] }>(await cli(['list', '--json', '--search', m]));
    expect(listed.images.map((i) => i.id)).toHaveLength(3);
    expect(listed.images.map((i) => i.id)).toEqual(expect.arrayContaining(first.map((i) => i.id)));
    expect(listed.images[0]?.prompt).toContain('red kite');
    const human = await cli(['list', '--limit', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split('\n')).toHaveLength(2);
    expect(human.stdout).toMatch(
      /^img_\S+ {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}nb2\.1 1K 1:1 {2}1024x1024 {2}\$0\.0336 {2}.*red kite/m,
    );
    const none = await cli(['list', '--search', 'no-such-prompt-anywhere']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No images match');
  });

  it('the MCP server on the same data folder sees the same images', async () => {
    const studio = await startStudio('stdio', { dataDir, geminiUrl: emu.url });
    try {
      const result = await studio.client.callTool({ name: 'list_images', arguments: { search: m, limit: 10 } });
      for (const image of first) expect(textOf(result)).toContain(image.id);
    } finally {
      await studio.close();
    }
  });

  it('edit by id continues the image conversation and records the lineage', async () => {
    const parent = first[0] as JsonImage;
    const e = marker('edit');
    const out = parse<{ images: JsonImage[] }>(await cli(['edit', parent.id, `make it night ${e}`, '--json', '-q']));
    expect(out.images).toHaveLength(1);
    expect(out.images[0]).toMatchObject({ kind: 'edit', parent_id: parent.id, image_size: '2K', aspect_ratio: '16:9' });
    const [request] = generateRequests(emu, e);
    // The parent's own turns (user, model with its image) come before the new instruction.
    expect(request?.body.contents?.map((c) => c.role)).toEqual(['user', 'model', 'user']);
  });

  it('open --print prints the file; with no viewer it says so and prints it; an unknown id is 7', async () => {
    const image = first[0] as JsonImage;
    const printed = await cli(['open', image.id, '--print']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(`${image.path}\n`);
    const noViewer = await cli(['open', image.id], { PATH: path.join(workDir, 'no-bin') });
    expect(noViewer.code).toBe(0);
    expect(noViewer.stderr).toMatch(/no image viewer found/);
    expect(noViewer.stdout).toBe(`${image.path}\n`);
    const unknown = await cli(['open', 'img_aaaaaaaaaaaaaaaaaaaaaaaaaa', '--print']);
    expect(unknown.code).toBe(7);
    expect(unknown.stderr).toMatch(/No image with id/);
  });

  it('cost totals the stored images: all time, by day and by model', async () => {
    const listed = parse<{ images: Array<JsonImage & { created_at: string }> }>(
      await cli(['list', '--json', '--limit', '1000']),
    );
    // Made above: two at 2K, one at 1K and an edit at 2K, all on nb2.1 ($0.0504 and $0.0336 each).
    expect(listed.images.map((i) => i.cost_usd).sort()).toEqual([0.0336, 0.0504, 0.0504, 0.0504]);
    const expected = 0.1848;
    const cost = parse<{
      total: { images: number; cost_usd: number };
      last_days: { days: number; images: number; by_day: Array<{ day: string; images: number; cost_usd: number }> };
      by_model: Array<{ model: string; images: number; cost_usd: number }>;
    }>(await cli(['cost', '--json']));
    expect(cost.total).toEqual({ images: 4, cost_usd: expect.closeTo(expected, 6) });
    expect(cost.last_days).toMatchObject({ days: 30, images: 4 });
    // The days the images were made (two, when the spec runs across midnight), not the day it is now.
    const byDay = new Map<string, { images: number; cost_usd: number }>();
    for (const image of listed.images) {
      const day = byDay.get(image.created_at.slice(0, 10)) ?? { images: 0, cost_usd: 0 };
      byDay.set(image.created_at.slice(0, 10), { images: day.images + 1, cost_usd: day.cost_usd + image.cost_usd });
    }
    expect(cost.last_days.by_day).toEqual(
      [...byDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, d]) => ({ day, images: d.images, cost_usd: expect.closeTo(d.cost_usd, 6) })),
    );
    expect(cost.by_model).toEqual([
      { model: 'nb2.1', model_id: 'gemini-nano-banana-2.1', images: 4, cost_usd: expect.closeTo(expected, 6) },
    ]);
    const human = await cli(['cost']);
    expect(human.stdout).toMatch(new RegExp(`^All time: 4 images, \\$${expected.toFixed(4).replace('.', '\\.')}`));
    expect(human.stdout).toContain('nb2.1 (gemini-nano-banana-2.1)');
  });
});

describe('exit codes', () => {
  it.each([
    [['generate', 'x', '-n', '7'], /--count expects a whole number from 1 to 4/],
    [['generate', 'x', '--size', '3K'], /Unknown image_size "3K"/],
    [['generate', 'x', '--ratio', '7:3'], /aspect/i],
    [['generate', 'x', '--bogus'], /Unknown option '--bogus'.*generate --help/],
    [['generate'], /Missing argument/],
    [['list', '--limit', 'many'], /--limit expects a whole number/],
  ])('a bad argument is 2 (%j)', async (args, pattern) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a refusal is 3, nothing stored; --json names the failure', async () => {
    const m = marker('refuse');
    emu.faults.enqueue({ kind: 'refuse' }, { times: 1, match: { promptIncludes: m } });
    const run = await cli(['generate', `a statue ${m}`, '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('IMAGE_SAFETY');
    const out = JSON.parse(run.stdout) as { images: unknown[]; failed: Array<{ code: string }> };
    expect(out.images).toEqual([]);
    expect(out.failed[0]?.code).toBe('refused');
    const listed = parse<{ images: unknown[] }>(await cli(['list', '--json', '--search', m]));
    expect(listed.images).toEqual([]);
  });

  it('a quota error (429 asking for 600 s) is 4, at once', async () => {
    const m = marker('quota');
    emu.faults.enqueue({ kind: '429', retryDelay: '600s' }, { times: 1, match: { promptIncludes: m } });
    const run = await cli(['generate', `a dam ${m}`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/quota/i);
    expect(generateRequests(emu, m)).toHaveLength(1);
  });

  it('a missing API key is 5, before anything is sent', async () => {
    const before = emu.requests.length;
    const run = await cli(['generate', 'a cat'], { GEMINI_API_KEY: undefined });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/No Gemini API key is set\. Set GEMINI_API_KEY/);
    expect(emu.requests.length).toBe(before);
  });

  it('Ctrl-C cancels the pipelines and exits 130', async () => {
    const m = marker('sigint');
    const child = start(['generate', `a slow river ${m} [emulator:latency=5000]`, '-n', '2']);
    const done = finish(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr?.on('data', (c) => {
        seen += c;
        if (/image 2\/2: generate/.test(seen)) resolve();
      });
    });
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^image 1\/2: cancelled/m);
    expect(run.stderr).toMatch(/cancelled/);
    const listed = parse<{ images: unknown[] }>(await cli(['list', '--json', '--search', m]));
    expect(listed.images).toEqual([]);
  });
});

describe('progress on a terminal', () => {
  it('redraws one bar per image with the stage and percent (ANSI), and keeps the final state', async () => {
    const m = marker('tty');
    const command = [process.execPath, CLI, 'generate', `a tty test ${m} [emulator:latency=400]`, '-n', '2']
      .map(shellQuote)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: envFor(),
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = await finish(child);
    expect(run.code, run.stderr).toBe(0);
    const output = run.stdout;
    // Cursor moved back up over the two bars to redraw them.
    expect(output).toContain('\x1b[2A');
    expect(output).toContain('\x1b[2K');
    expect(output).toMatch(/image 1\/2 \[[█░]+\] +\d+% generate/);
    expect(output).toMatch(/image 2\/2 \[[█░]+\] +\d+% generate/);
    expect(output).toMatch(/image \d\/2 \[[█░]+\] +\d+% store/);
    const lastDraw = output.slice(output.lastIndexOf('\x1b[2A'));
    expect(lastDraw).toMatch(/image 1\/2 \[█+\] 100% done/);
    expect(lastDraw).toMatch(/image 2\/2 \[█+\] 100% done/);
    // The result lines follow on stdout (the same terminal).
    expect(output.match(/^img_\S+ {2}nb2\.1 1K 1:1/gm)).toHaveLength(2);
  });
});

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
