import { mkdtemp, readdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ImageRecord, ImageRepository } from '../src/core/ports.js';
import {
  createImageRepository,
  createLocalBlobStore,
  type Database,
  IMAGE_ID_PATTERN,
  type LocalBlobStore,
  migrateToLatest,
  newId,
  newImageId,
  openDatabase,
  pendingMigrations,
  RECONCILED_AT_KEY,
  reconcileIfDue,
  reconcileStorage,
} from '../src/store/index.js';
import { imageRecord } from './helpers/imageRecord.js';
import { runCli } from './helpers/runCli.js';

/** Every migration, in order: a fresh database has them all pending. */
const ALL_MIGRATIONS = [
  '0001_images',
  '0002_uploads',
  '0003_pipelines',
  '0004_ledger',
  '0005_pipeline_cancel',
  '0006_access_tokens',
  '0007_ledger_text_calls',
  '0009_ledger_emulated',
  '0011_studio_library',
  '0012_ledger_outcome',
  '0013_deployment_settings',
  '0014_pipeline_request_ids',
  '0015_access_list',
  '0016_user_retention',
];

let dir: string;
let database: Database;
let repo: ImageRepository;
let blobs: LocalBlobStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'store-spec-'));
  database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'data', 'studio.db') });
  repo = createImageRepository(database.db);
  blobs = createLocalBlobStore(path.join(dir, 'blobs'));
});

afterEach(async () => {
  await database.close();
  await rm(dir, { recursive: true, force: true });
});

let sequence = 0;
function image(overrides: Partial<ImageRecord> = {}): ImageRecord {
  const id = overrides.id ?? newImageId();
  sequence++;
  return imageRecord({
    id,
    prompt: `a banana number ${sequence}`,
    modelId: 'gemini-3.1-flash-image',
    bytes: 12345,
    blobKey: `images/2026/11/${id}.jpg`,
    promptTokens: 10,
    imageTokens: 1120,
    totalTokens: 1130,
    costUsd: 0.0672,
    createdAt: new Date(Date.UTC(2026, 10, 1, 0, 0, sequence)).toISOString(),
    ...overrides,
  });
}

describe('database', () => {
  test('migrations apply on a fresh file and are idempotent on reopen', async () => {
    expect(await pendingMigrations(database.db)).toEqual([]);
    expect(await migrateToLatest(database.db)).toEqual([]);
    const local = await database.db.selectFrom('users').selectAll().where('id', '=', 'local').executeTakeFirst();
    expect(local).toMatchObject({ id: 'local', email: null, default_model: null });

    const file = path.join(dir, 'fresh', 'nested', 'other.db');
    const unmigrated = await openDatabase({ kind: 'sqlite', path: file }, { migrate: false });
    expect(await pendingMigrations(unmigrated.db)).toEqual(ALL_MIGRATIONS);
    expect(await migrateToLatest(unmigrated.db)).toEqual(ALL_MIGRATIONS);
    await unmigrated.close();

    const reopened = await openDatabase({ kind: 'sqlite', path: file });
    expect(await pendingMigrations(reopened.db)).toEqual([]);
    expect(await reopened.db.selectFrom('users').select('id').execute()).toEqual([{ id: 'local' }]);
    await reopened.close();
  });

  test('pragmas: WAL, foreign keys', async () => {
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
    expect(journal.rows[0]?.journal_mode).toBe('wal');
    const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
    expect(fk.rows[0]?.foreign_keys).toBe(1);
  });

  test('reopening the same data folder after close shows the same data', async () => {
    const record = image({ history: '[{"role":"user","parts":[]}]' });
    await repo.insert(record);
    await blobs.put(record.blobKey, Buffer.from('jpeg bytes'));
    await database.close();

    database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'data', 'studio.db') });
    repo = createImageRepository(database.db);
    blobs = createLocalBlobStore(path.join(dir, 'blobs'));
    expect(await repo.get(record.id)).toEqual(record);
    expect((await blobs.get(record.blobKey)).toString()).toBe('jpeg bytes');
  });
});

/**
 * The repository contract, run against the embedded SQLite database and, when STUDIO_TEST_DATABASE_URL
 * is set (CI sets it), against PostgreSQL in a fresh schema per test.
 */
function imageRepositoryContract() {
  test('insert and get round-trip every field', async () => {
    const parent = image();
    const record = image({
      parentId: parent.id,
      kind: 'edit',
      prompt: 'make it ripe — ünïcode ✓',
      negativePrompt: 'no bruises',
      imageSize: '4K',
      aspectRatio: '21:9',
      width: 6336,
      height: 2688,
      mimeType: 'image/png',
      bytes: 9_876_543,
      promptTokens: 1,
      imageTokens: 2000,
      thoughtsTokens: 3,
      totalTokens: 2004,
      costUsd: 0.24123456789,
      history: JSON.stringify([{ role: 'user', parts: [{ text: 'hi' }] }]),
      options: JSON.stringify({ seed: 42 }),
    });
    await repo.insert(parent);
    await repo.insert(record);
    expect(await repo.get(record.id)).toEqual(record);
    expect(await repo.get('img_missing')).toBeUndefined();
  });

  test('insert creates an unknown owner and rejects a duplicate id', async () => {
    const record = image({ ownerId: 'user_alice' });
    await repo.insert(record);
    expect((await repo.get(record.id))?.ownerId).toBe('user_alice');
    await expect(repo.insert(record)).rejects.toThrow();
    // Once the owner is known, an insert skips making its users row (issue 14): the next images of that
    // owner, and a failed insert, still behave; a new owner still gets its row.
    const second = image({ ownerId: 'user_alice' });
    await repo.insert(second);
    expect((await repo.get(second.id))?.ownerId).toBe('user_alice');
    await expect(repo.insert(second)).rejects.toThrow();
    const bob = image({ ownerId: 'user_bob' });
    await repo.insert(bob);
    expect((await repo.get(bob.id))?.ownerId).toBe('user_bob');
  });

  test('list pages by created_at desc across 3 pages with a stable cursor', async () => {
    const shared = new Date(Date.UTC(2026, 0, 1)).toISOString();
    // Some rows share a timestamp, so the id tie-break matters.
    const records = Array.from({ length: 25 }, (_, i) =>
      image(i % 5 === 0 ? { createdAt: shared, id: `img_tie${String(i).padStart(2, '0')}` } : {}),
    );
    for (const r of records) await repo.insert(r);
    const expected = [...records]
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
      .map((r) => r.id);

    const page1 = await repo.list({ limit: 10 });
    expect(page1.nextCursor).not.toBeNull();
    // A row inserted after page 1 was served, newer than everything, does not shift later pages.
    await repo.insert(image({ createdAt: new Date(Date.UTC(2027, 0, 1)).toISOString() }));
    const page2 = await repo.list({ limit: 10, cursor: page1.nextCursor ?? '' });
    const page3 = await repo.list({ limit: 10, cursor: page2.nextCursor ?? '' });
    expect(page3.nextCursor).toBeNull();
    expect([...page1.images, ...page2.images, ...page3.images].map((r) => r.id)).toEqual(expected);
    expect(page3.images).toHaveLength(5);
    // The same cursor gives the same page again.
    expect((await repo.list({ limit: 10, cursor: page1.nextCursor ?? '' })).images).toEqual(page2.images);
    await expect(repo.list({ limit: 10, cursor: 'not-a-cursor' })).rejects.toThrow(/cursor is not valid/);
  });

  test('list filters by owner', async () => {
    await repo.insert(image({ ownerId: 'alice' }));
    await repo.insert(image({ ownerId: 'bob' }));
    await repo.insert(image({ ownerId: 'alice' }));
    const alice = await repo.list({ ownerId: 'alice', limit: 10 });
    expect(alice.images.map((r) => r.ownerId)).toEqual(['alice', 'alice']);
    expect((await repo.list({ ownerId: 'carol', limit: 10 })).images).toEqual([]);
    expect((await repo.list({ limit: 10 })).images).toHaveLength(3);
  });

  test('list searches prompts case-insensitively, % and _ literally', async () => {
    const percent = image({ prompt: 'A 100% Banana' });
    const underscore = image({ prompt: 'snake_case banana' });
    const plain = image({ prompt: '1000 bananas in a snakeXcase pile' });
    const accented = image({ prompt: 'CRÈME BRÛLÉE' });
    for (const r of [percent, underscore, plain, accented]) await repo.insert(r);
    const search = async (text: string) =>
      (await repo.list({ search: text, limit: 10 })).images.map((r) => r.id).sort();
    expect(await search('banana')).toEqual([percent.id, underscore.id, plain.id].sort());
    expect(await search('100%')).toEqual([percent.id]);
    expect(await search('%')).toEqual([percent.id]);
    expect(await search('e_c')).toEqual([underscore.id]);
    expect(await search('\\')).toEqual([]);
    expect(await search('crème brûlée')).toEqual([accented.id]);
  });

  test('list clamps the limit to 1..100', async () => {
    for (let i = 0; i < 105; i++) await repo.insert(image());
    expect((await repo.list({ limit: 0 })).images).toHaveLength(1);
    expect((await repo.list({ limit: -5 })).images).toHaveLength(1);
    expect((await repo.list({ limit: 2.7 })).images).toHaveLength(2);
    const big = await repo.list({ limit: 1000 });
    expect(big.images).toHaveLength(100);
    expect(big.nextCursor).not.toBeNull();
  });

  test('children are the direct edits, oldest first', async () => {
    const root = image();
    const first = image({ parentId: root.id, kind: 'edit' });
    const second = image({ parentId: root.id, kind: 'edit' });
    const grandchild = image({ parentId: first.id, kind: 'edit' });
    for (const r of [root, second, first, grandchild]) await repo.insert(r);
    expect((await repo.children(root.id)).map((r) => r.id)).toEqual([first.id, second.id]);
    expect((await repo.children(grandchild.id)).map((r) => r.id)).toEqual([]);
  });

  test('delete removes the row once; edits of a deleted image become roots', async () => {
    const root = image();
    const edit = image({ parentId: root.id, kind: 'edit' });
    await repo.insert(root);
    await repo.insert(edit);
    expect(await repo.delete(root.id)).toBe(true);
    expect(await repo.delete(root.id)).toBe(false);
    expect(await repo.get(root.id)).toBeUndefined();
    expect((await repo.get(edit.id))?.parentId).toBeNull();
    expect(await repo.allBlobKeys()).toEqual(new Set([edit.blobKey]));
  });
}

describe('image repository (sqlite)', () => {
  imageRepositoryContract();
});

const PG_URL = process.env.STUDIO_TEST_DATABASE_URL;
describe.skipIf(!PG_URL)('image repository (postgres; needs STUDIO_TEST_DATABASE_URL)', () => {
  let schema: string;
  beforeEach(async () => {
    await database.close();
    schema = `nbs_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    database = await openDatabase({ kind: 'postgres', url: PG_URL as string, schema }, { migrate: true });
    repo = createImageRepository(database.db);
  });
  afterEach(async () => {
    await sql.raw(`drop schema if exists ${schema} cascade`).execute(database.db);
  });
  imageRepositoryContract();

  test('a PostgreSQL database is not migrated at open unless asked, and says what is pending', async () => {
    const other = `${schema}_fresh`;
    const fresh = await openDatabase({ kind: 'postgres', url: PG_URL as string, schema: other });
    try {
      expect(await pendingMigrations(fresh.db)).toEqual(ALL_MIGRATIONS);
    } finally {
      await sql.raw(`drop schema if exists ${other} cascade`).execute(fresh.db);
      await fresh.close();
    }
  });
});

describe('local blob store', () => {
  test('put, get, exists, delete, list', async () => {
    await blobs.put('images/2026/11/a.jpg', Buffer.from('a'));
    await blobs.put('images/2026/12/b.png', Buffer.from('b'));
    await blobs.put('other/c.txt', Buffer.from('c'));
    await blobs.put('images/2026/11/a.jpg', Buffer.from('a2'));
    expect((await blobs.get('images/2026/11/a.jpg')).toString()).toBe('a2');
    expect(await blobs.exists('images/2026/11/a.jpg')).toBe(true);
    expect(await blobs.exists('images/2026/11/zzz.jpg')).toBe(false);
    expect(await blobs.exists('images/2026/11/a.jpg/x')).toBe(false);
    expect(blobs.localPath('images/2026/11/a.jpg')).toBe(path.join(dir, 'blobs', 'images', '2026', '11', 'a.jpg'));

    const keys = async (prefix: string) => {
      const out: string[] = [];
      for await (const { key, modifiedAt } of blobs.list(prefix)) {
        expect(modifiedAt).toBeInstanceOf(Date);
        out.push(key);
      }
      return out;
    };
    expect(await keys('images/')).toEqual(['images/2026/11/a.jpg', 'images/2026/12/b.png']);
    expect(await keys('images/2026/1')).toEqual(['images/2026/11/a.jpg', 'images/2026/12/b.png']);
    expect(await keys('')).toEqual(['images/2026/11/a.jpg', 'images/2026/12/b.png', 'other/c.txt']);
    expect(await keys('nothing/')).toEqual([]);

    await blobs.delete('images/2026/11/a.jpg');
    await blobs.delete('images/2026/11/a.jpg');
    expect(await blobs.exists('images/2026/11/a.jpg')).toBe(false);
    await expect(blobs.get('images/2026/11/a.jpg')).rejects.toMatchObject({ code: 'not_found' });
  });

  test('bad keys are rejected', async () => {
    const bad = [
      '',
      '../escape.jpg',
      'images/../../escape.jpg',
      '/etc/passwd',
      'C:/windows.jpg',
      'images\\a.jpg',
      'images/a\0.jpg',
      'images//a.jpg',
      'images/./a.jpg',
      'images/.tmp-123',
    ];
    for (const key of bad) {
      await expect(blobs.put(key, Buffer.from('x')), key).rejects.toThrow(/Invalid blob key/);
      await expect(blobs.get(key), key).rejects.toThrow(/Invalid blob key/);
      expect(() => blobs.localPath(key), key).toThrow(/Invalid blob key/);
    }
    await expect(blobs.list('../')[Symbol.asyncIterator]().next()).rejects.toThrow(/Invalid blob prefix/);
    expect(await readdir(dir)).not.toContain('escape.jpg');
  });

  test('put is atomic: a concurrent reader sees nothing or everything, and no temp file remains', async () => {
    const key = 'images/big.bin';
    const data = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        try {
          const got = await readFile(blobs.localPath(key) ?? '');
          expect(got.equals(data)).toBe(true);
          reads++;
        } catch (error) {
          expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let i = 0; i < 5; i++) {
      await blobs.put(key, data);
    }
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(await readdir(path.join(dir, 'blobs', 'images'))).toEqual(['big.bin']);
  });
});

describe('reconcile', () => {
  const old = (file: string) => {
    const past = new Date(Date.now() - 10 * 60_000);
    return utimes(file, past, past);
  };

  test('removes stale temp files, old orphan blobs and rows without a file', async () => {
    // Crash between blob write and row insert, long ago.
    const oldOrphan = 'images/2026/11/img_oldorphan.jpg';
    await blobs.put(oldOrphan, Buffer.from('x'));
    await old(blobs.localPath(oldOrphan) ?? '');
    // A writer in progress right now: blob written, row not yet.
    const youngOrphan = 'images/2026/11/img_youngorphan.jpg';
    await blobs.put(youngOrphan, Buffer.from('y'));
    // Complete images.
    const kept = image();
    await blobs.put(kept.blobKey, Buffer.from('k'));
    await old(blobs.localPath(kept.blobKey) ?? '');
    await repo.insert(kept);
    // A row whose file was removed behind our back.
    const lost = image();
    await blobs.put(lost.blobKey, Buffer.from('l'));
    await repo.insert(lost);
    await unlink(blobs.localPath(lost.blobKey) ?? '');
    // A row outside the prefix is not ours to judge.
    const elsewhere = image({ blobKey: 'elsewhere/x.jpg' });
    await repo.insert(elsewhere);
    // Temp files: one left by a crash, one being written now.
    const folder = path.join(dir, 'blobs', 'images', '2026', '11');
    await writeFile(path.join(folder, '.tmp-stale'), 'partial');
    await old(path.join(folder, '.tmp-stale'));
    await writeFile(path.join(folder, '.tmp-fresh'), 'partial');

    const report = await reconcileStorage({ repo, blobs, prefix: 'images/' });
    expect(report).toEqual({ removedTempFiles: 1, removedOrphanBlobs: 1, removedRowsWithoutBlob: 1 });
    expect(await blobs.exists(oldOrphan)).toBe(false);
    expect(await blobs.exists(youngOrphan)).toBe(true);
    expect(await blobs.exists(kept.blobKey)).toBe(true);
    expect(await repo.get(kept.id)).toEqual(kept);
    expect(await repo.get(lost.id)).toBeUndefined();
    expect(await repo.get(elsewhere.id)).toEqual(elsewhere);
    expect((await readdir(folder)).sort()).toEqual(
      ['.tmp-fresh', path.basename(kept.blobKey), path.basename(youngOrphan)].sort(),
    );

    // Later, once the young orphan is past the grace period, it goes too; a second pass is a no-op.
    const later = new Date(Date.now() + 2 * 60_000);
    expect(await reconcileStorage({ repo, blobs, prefix: 'images/', now: later })).toEqual({
      removedTempFiles: 1,
      removedOrphanBlobs: 1,
      removedRowsWithoutBlob: 0,
    });
    expect(await reconcileStorage({ repo, blobs, now: later })).toEqual({
      removedTempFiles: 0,
      removedOrphanBlobs: 0,
      removedRowsWithoutBlob: 0,
    });
  });
});

describe('reconcile at most once a day (issue 14: start-up must not grow with the library)', () => {
  test('sweeps when never done or a day old, and skips in between', async () => {
    const orphan = async (name: string) => {
      const key = `images/2026/12/${name}.png`;
      await blobs.put(key, Buffer.from('o'));
      const past = new Date(Date.now() - 10 * 60_000);
      await utimes(blobs.localPath(key) ?? '', past, past);
      return key;
    };
    const first = await orphan('img_dueone');
    const t0 = new Date();
    expect((await reconcileIfDue({ repo, blobs, now: t0 }))?.removedOrphanBlobs).toBeGreaterThanOrEqual(1);
    expect(await blobs.exists(first)).toBe(false);

    // An hour later: not due, nothing walked, the new orphan stays.
    const second = await orphan('img_duetwo');
    expect(await reconcileIfDue({ repo, blobs, now: new Date(t0.getTime() + 3600_000) })).toBeUndefined();
    expect(await blobs.exists(second)).toBe(true);

    // A day later: due again.
    const report = await reconcileIfDue({ repo, blobs, now: new Date(t0.getTime() + 25 * 3600_000) });
    expect(report?.removedOrphanBlobs).toBe(1);
    expect(await blobs.exists(second)).toBe(false);
    // A marker from the future (a clock set back) does not stop the sweep for good.
    await blobs.put(RECONCILED_AT_KEY, Buffer.from(new Date(t0.getTime() + 100 * 86_400_000).toISOString()));
    expect(await reconcileIfDue({ repo, blobs, now: t0 })).toBeDefined();
  });
});

describe('ids', () => {
  test('unique over 10k and in the documented format', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newImageId()));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(IMAGE_ID_PATTERN);
    expect(newId()).toMatch(/^[0-9a-z]{26}$/);
    // All 32 symbols appear; the last one carries only the final 3 bits (every 4th symbol).
    const chars = new Set([...ids].flatMap((id) => [...id.slice(4, -1)]));
    expect(chars.size).toBe(32);
    const last = new Set([...ids].map((id) => id.at(-1)));
    expect([...last].sort()).toEqual(['0', '4', '8', 'c', 'g', 'm', 'r', 'w']);
  });
});

describe('several processes opening one fresh SQLite studio at once', () => {
  // A client that starts the server twice, or the CLI beside the server: Kysely's migrator takes no lock on
  // SQLite, and before the fix 6 of 10 such rounds had a process fail with "migration … failed".
  test('six `migrate` commands at once on a new data folder all succeed, five rounds in a row', async () => {
    for (let round = 0; round < 5; round++) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'nbs-race-'));
      try {
        const runs = await Promise.all(
          Array.from({ length: 6 }, () =>
            runCli(['migrate'], { env: { HOME: process.env.HOME ?? '/tmp', STUDIO_DATA_DIR: dataDir } }),
          ),
        );
        for (const run of runs) expect(run.code, `round ${round}: ${run.stderr}`).toBe(0);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });
});
