/**
 * `nanobanana-studio maintenance` (issue 15): a dry run reports what retention, expired Gemini copies and
 * orphan files would remove; `--apply` then removes exactly that, and nothing of the ledger. Run against the
 * built CLI on SQLite, and on PostgreSQL when STUDIO_TEST_DATABASE_URL is set. Images are made by the real
 * `generate` command against the built-in emulator; their age is then set back in the database (a clock
 * cannot be wound forward for a child process otherwise).
 */
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from './helpers/pgSchema.js';
import { runCli } from './helpers/runCli.js';
import { makeDataDir } from './helpers/studio.js';

const BASE_URL = process.env.STUDIO_TEST_DATABASE_URL;

interface Sql {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

interface Report {
  dry_run: boolean;
  plan: {
    images: Array<{ id: string; reason: string; blobKey: string }>;
    geminiCopies: Array<{ uploadId: string }>;
    orphanBlobs: string[];
    vacuum: boolean;
  };
  result?: {
    removedImages: string[];
    forgottenGeminiCopies: string[];
    removedOrphanBlobs: string[];
    vacuumed: boolean;
  };
}

const backends: Array<{ name: string; skip: boolean }> = [
  { name: 'SQLite', skip: false },
  { name: 'PostgreSQL', skip: !BASE_URL },
];

describe.each(backends)('maintenance on $name', ({ name, skip }) => {
  let dataDir: string;
  let env: Record<string, string>;
  let schema: TestSchema | undefined;
  let sqlOf: () => Sql;

  beforeAll(async () => {
    if (skip) return;
    dataDir = await makeDataDir();
    env = { HOME: process.env.HOME ?? '/tmp', STUDIO_DATA_DIR: dataDir, STUDIO_AUTO_STYLE: 'false' };
    if (name === 'PostgreSQL') {
      schema = await createTestSchema(BASE_URL as string, 'maint');
      env.STUDIO_DATABASE_URL = schema.url;
      const migrated = await runCli(['migrate'], { env });
      expect(migrated.code, migrated.stderr).toBe(0);
      const admin = schema.admin;
      const prefix = schema.name;
      // Numbered placeholders, in order.
      sqlOf = () => ({
        query: async <T>(text: string, params: unknown[] = []) => {
          let n = 0;
          const sql = text.replaceAll('{s}', `${prefix}.`).replace(/\?/g, () => `$${++n}`);
          return (await admin.query(sql, params)).rows as T[];
        },
        close: async () => {},
      });
    } else {
      sqlOf = () => {
        const db = new Database(path.join(dataDir, 'studio.db'));
        return {
          query: async <T>(text: string, params: unknown[] = []) => {
            const statement = db.prepare(text.replaceAll('{s}', ''));
            if (statement.reader) return statement.all(...params) as T[];
            statement.run(...params);
            return [];
          },
          close: async () => void db.close(),
        };
      };
    }
  }, 60_000);
  afterAll(async () => {
    await schema?.drop();
  });

  it.skipIf(skip)(
    'a dry run reports; --apply removes exactly what it reported, never the ledger',
    async () => {
      const made = await runCli(['generate', 'a lighthouse at dusk', '-n', '4', '--emulator', '--json'], {
        env,
        timeoutMs: 60_000,
      });
      expect(made.code, made.stderr).toBe(0);
      const ids = (JSON.parse(made.stdout) as { images: Array<{ id: string }> }).images.map((i) => i.id).sort();
      expect(ids).toHaveLength(4);
      const [old1, old2, recentForPerson, kept] = ids as [string, string, string, string];

      const sql = sqlOf();
      const day = 86_400_000;
      const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
      await sql.query('update {s}images set created_at = ? where id = ?', [ago(40), old1]);
      await sql.query('update {s}images set created_at = ? where id = ?', [ago(35), old2]);
      await sql.query('update {s}images set created_at = ? where id = ?', [ago(15), recentForPerson]);
      // An upload whose Gemini copy expired yesterday, and one whose copy is still good.
      const blob = (await sql.query<{ blob_key: string }>('select blob_key from {s}images where id = ?', [kept]))[0]
        ?.blob_key as string;
      await mkdir(path.join(dataDir, 'uploads', '2026', '01'), { recursive: true });
      for (const [id, expires] of [
        ['upl_expired', ago(1)],
        ['upl_current', ago(-1)],
      ] as const) {
        const key = `uploads/2026/01/${id}.png`;
        await writeFile(path.join(dataDir, key), 'x');
        await utimes(path.join(dataDir, key), new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
        await sql.query(
          'insert into {s}uploads (id, owner_id, display_name, mime_type, bytes, sha256, blob_key, gemini_name, gemini_uri, gemini_expires_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [id, 'local', 'ref.png', 'image/png', 10, id, key, `files/${id}`, `https://x/${id}`, expires, ago(3)],
        );
      }
      const ledgerBefore = (await sql.query<{ n: number | string }>('select count(*) as n from {s}ledger'))[0]?.n;
      expect(Number(ledgerBefore)).toBe(4);
      // An orphan file (no row) two hours old, and a fresh one a writer may be about to insert a row for.
      const orphanDir = path.join(dataDir, 'images', '2020', '01');
      await mkdir(orphanDir, { recursive: true });
      await writeFile(path.join(orphanDir, 'img_orphanold.png'), 'x');
      await utimes(
        path.join(orphanDir, 'img_orphanold.png'),
        new Date(Date.now() - 7_200_000),
        new Date(Date.now() - 7_200_000),
      );
      await writeFile(path.join(orphanDir, 'img_orphannew.png'), 'x');
      // Thumbnails are stored beside their images (thumbs/<id>.webp): one of an image retention removes, one of
      // the kept image, and an old one whose image is gone.
      const thumbs = path.join(dataDir, 'thumbs');
      await mkdir(thumbs, { recursive: true });
      for (const id of [old1, kept]) await writeFile(path.join(thumbs, `${id}.webp`), 'x');
      await writeFile(path.join(thumbs, 'img_gone.webp'), 'x');
      await utimes(
        path.join(thumbs, 'img_gone.webp'),
        new Date(Date.now() - 7_200_000),
        new Date(Date.now() - 7_200_000),
      );

      // This person keeps images 10 days, whatever the deployment's 30.
      const set = await runCli(['maintenance', 'retention', '--user', 'local', '--days', '10'], { env });
      expect(set.code, set.stderr).toBe(0);

      const dry = await runCli(['maintenance', '--json'], { env: { ...env, STUDIO_RETENTION_DAYS: '30' } });
      expect(dry.code, dry.stderr).toBe(0);
      const report = JSON.parse(dry.stdout) as Report;
      expect(report.dry_run).toBe(true);
      expect(report.plan.images.map((i) => i.id).sort()).toEqual([old1, old2, recentForPerson].sort());
      expect(report.plan.geminiCopies.map((c) => c.uploadId)).toEqual(['upl_expired']);
      expect(report.plan.orphanBlobs).toEqual(['images/2020/01/img_orphanold.png', 'thumbs/img_gone.webp']);
      // The dry run changed nothing.
      expect((await sql.query('select id from {s}images')).length).toBe(4);
      expect(existsSync(path.join(orphanDir, 'img_orphanold.png'))).toBe(true);

      const human = await runCli(['maintenance'], { env: { ...env, STUDIO_RETENTION_DAYS: '30' } });
      expect(human.stdout).toContain('Would remove 3 image(s)');
      expect(human.stdout).toContain('Dry run: nothing was changed');

      const applied = await runCli(['maintenance', '--apply', '--json'], {
        env: { ...env, STUDIO_RETENTION_DAYS: '30' },
      });
      expect(applied.code, applied.stderr).toBe(0);
      const done = JSON.parse(applied.stdout) as Report;
      expect({ ...done.plan, at: '' }).toEqual({ ...report.plan, at: '' });
      expect(done.result?.removedImages.sort()).toEqual(report.plan.images.map((i) => i.id).sort());
      expect(done.result?.forgottenGeminiCopies).toEqual(['upl_expired']);
      expect(done.result?.removedOrphanBlobs).toEqual(['images/2020/01/img_orphanold.png', 'thumbs/img_gone.webp']);
      expect(done.result?.vacuumed).toBe(true);

      expect((await sql.query<{ id: string }>('select id from {s}images')).map((r) => r.id)).toEqual([kept]);
      for (const image of report.plan.images) expect(existsSync(path.join(dataDir, image.blobKey))).toBe(false);
      expect(existsSync(path.join(dataDir, blob))).toBe(true);
      expect(existsSync(path.join(orphanDir, 'img_orphanold.png'))).toBe(false);
      expect(existsSync(path.join(orphanDir, 'img_orphannew.png'))).toBe(true);
      for (const image of report.plan.images) expect(existsSync(path.join(thumbs, `${image.id}.webp`))).toBe(false);
      expect(existsSync(path.join(thumbs, `${kept}.webp`))).toBe(true);
      const uploads = await sql.query<{ id: string; gemini_name: string | null }>(
        'select id, gemini_name from {s}uploads order by id',
      );
      expect(uploads).toEqual([
        { id: 'upl_current', gemini_name: 'files/upl_current' },
        { id: 'upl_expired', gemini_name: null },
      ]);
      const ledgerAfter = (await sql.query<{ n: number | string }>('select count(*) as n from {s}ledger'))[0]?.n;
      expect(Number(ledgerAfter)).toBe(4);

      // Nothing is left to do.
      const again = JSON.parse(
        (await runCli(['maintenance', '--json'], { env: { ...env, STUDIO_RETENTION_DAYS: '30' } })).stdout,
      ) as Report;
      expect(again.plan.images).toEqual([]);
      expect(again.plan.orphanBlobs).toEqual([]);
      await sql.close();
    },
    120_000,
  );
});

describe('maintenance inside serve', () => {
  it('runs on its schedule (STUDIO_MAINTENANCE_HOURS) and applies the deployment retention', async () => {
    const { startStudio, idsOf } = await import('./helpers/studio.js');
    const studio = await startStudio('http', {
      args: ['--emulator'],
      apiKey: null,
      env: { STUDIO_RETENTION_DAYS: '30', STUDIO_MAINTENANCE_HOURS: '0.0003' },
    });
    try {
      const made = await studio.client.callTool({ name: 'generate_image', arguments: { prompt: 'a harbour', n: 2 } });
      const [old, recent] = idsOf(made) as [string, string];
      const db = new Database(path.join(studio.dataDir, 'studio.db'));
      db.prepare('update images set created_at = ? where id = ?').run(
        new Date(Date.now() - 40 * 86_400_000).toISOString(),
        old,
      );
      let ids: string[] = [];
      for (let i = 0; i < 100; i += 1) {
        ids = (db.prepare('select id from images').all() as Array<{ id: string }>).map((r) => r.id);
        if (!ids.includes(old)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      db.close();
      expect(ids).toEqual([recent]);
      // Said once the whole run is over, a moment after the row is gone.
      await expect.poll(() => studio.stderr(), { timeout: 10_000 }).toContain('maintenance done');
    } finally {
      await studio.close({ removeData: true });
    }
  }, 60_000);
});
