import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './helpers/emulator.js';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { idsOf, makeDataDir, startStudio, textOf } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

describe.skipIf(!BASE_URL)('on PostgreSQL (needs STUDIO_TEST_DATABASE_URL)', () => {
  let db: TestSchema;
  let url: string;
  let schema: string;
  let admin: pg.Client;
  let emu: Emulator;
  /** Every server of this database keeps its images here (the database refuses another local folder). */
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestSchema(BASE_URL as string, 'e2e');
    ({ url, name: schema, admin } = db);
    emu = await startEmulator();
    dataDir = await makeDataDir();
  });
  afterAll(async () => {
    await db?.drop();
    await emu?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATABASE_URL: url, ...env } });

  it('refuses to serve an unmigrated database and names the command to run', async () => {
    const dry = await run(['migrate', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('pending 0001_images, 0002_uploads, 0003_pipelines');
    const dataDir = await makeDataDir();
    const serve = await run(['serve', '--port', '0'], {
      STUDIO_DATA_DIR: dataDir,
      GEMINI_API_KEY: 'k',
      GEMINI_BASE_URL: emu.url,
    });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/not migrated \(pending: 0001_images.*Run `nanobanana-studio migrate`/);
  });

  it('migrate applies the migrations once', async () => {
    const first = await run(['migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('applied 0001_images, 0002_uploads, 0003_pipelines');
    const again = await run(['migrate']);
    expect(again.stdout).toContain('up to date');
  });

  it.each(['stdio', 'http'] as const)(
    'serves images and pipelines from PostgreSQL across a restart (%s)',
    async (kind) => {
      const env = { STUDIO_DATABASE_URL: url };
      const first = await startStudio(kind, { geminiUrl: emu.url, env, dataDir });
      const prompt = `a lighthouse on postgres ${kind}`;
      const made = await first.client.callTool({ name: 'generate_image', arguments: { prompt, n: 2 } });
      expect(made.isError, textOf(made)).toBeFalsy();
      const ids = idsOf(made);
      await first.close();
      const rows = await admin.query(`select id from ${schema}.images where prompt = $1 order by id`, [prompt]);
      expect(rows.rows.map((r: { id: string }) => r.id)).toEqual([...ids].sort());
      const pipelines = await admin.query(`select status from ${schema}.pipelines where result_image_id = any($1)`, [
        ids,
      ]);
      expect(pipelines.rows.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed']);
      // Same database and folder after a restart: the images' rows and files are both there.
      const second = await startStudio(kind, { geminiUrl: emu.url, env, dataDir });
      try {
        const listed = await second.client.callTool({ name: 'list_images', arguments: { search: prompt } });
        expect(idsOf(listed).sort()).toEqual([...ids].sort());
        const edited = await second.client.callTool({
          name: 'edit_image',
          arguments: { image: ids[0], instruction: 'at night' },
        });
        expect(edited.isError, textOf(edited)).toBeFalsy();
      } finally {
        await second.close();
      }
    },
  );
});
