/**
 * Blob writes interrupted by a crash (SIGKILL mid upload_file, mid edit): the journal markers they leave
 * (`pending/`) are all the start-up sweep looks at, on a local folder and on S3 (s3rver). An upload or a
 * reference blob that no row points at is removed, with a temp file a killed write left beside it; one
 * whose row exists is kept; a write still in flight (a young marker) is left alone. End to end: the built
 * server killed with SIGKILL in the middle of upload_file calls, then started again.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markPending, pendingMarkerKey } from '../src/core/pendingBlobs.js';
import type { BlobStore } from '../src/core/ports.js';
import {
  createImageRepository,
  createLocalBlobStore,
  createS3BlobStore,
  createUploadRepository,
  type Database,
  newImageId,
  newUploadId,
  openDatabase,
  reconcilePendingBlobs,
} from '../src/store/index.js';
import { startEmulator } from './helpers/emulator.js';
import { imageRecord } from './helpers/imageRecord.js';
import { startS3rver } from './helpers/s3rver.js';
import { startStudio, textOf } from './helpers/studio.js';

const BUCKET = 'pending-test';
let s3rver: ChildProcess | undefined;
let endpoint = '';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pending-spec-'));
  const started = await startS3rver(path.join(root, 's3'), BUCKET);
  s3rver = started.child;
  endpoint = `http://127.0.0.1:${started.port}`;
}, 30_000);
afterAll(async () => {
  s3rver?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

async function exists(blobs: BlobStore, key: string) {
  return blobs.exists(key);
}

describe.each(['local folder', 'S3'])('the start-up sweep of interrupted writes (%s)', (kind) => {
  let database: Database;
  let blobs: BlobStore;
  let blobDir: string;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(root, 'case-'));
    database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'studio.db') });
    blobDir = path.join(dir, 'blobs');
    blobs =
      kind === 'S3'
        ? createS3BlobStore({
            bucket: BUCKET,
            prefix: `${path.basename(dir)}/`,
            endpoint,
            region: 'us-east-1',
            forcePathStyle: true,
            credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          })
        : createLocalBlobStore(blobDir);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('removes what no row points at, keeps what one does, leaves writes in flight alone', async () => {
    const uploads = createUploadRepository(database.db);
    const images = createImageRepository(database.db);
    const bytes = Buffer.from('not really an image, but bytes');
    const upload = (id: string) => `uploads/2026/12/${id}.png`;
    // 1. Killed between the blob and its row: an orphan.
    const orphan = upload(newUploadId());
    await markPending(blobs, orphan);
    await blobs.put(orphan, bytes);
    // 2. Killed after the row, before the marker was cleared: kept.
    const done = upload(newUploadId());
    await markPending(blobs, done);
    await blobs.put(done, bytes);
    await uploads.insert({
      id: path.basename(done, '.png'),
      ownerId: 'local',
      displayName: 'done.png',
      mimeType: 'image/png',
      bytes: bytes.length,
      sha256: 'a'.repeat(64),
      blobKey: done,
      geminiName: null,
      geminiUri: null,
      geminiExpiresAt: null,
      createdAt: new Date().toISOString(),
    });
    // 3. A reference blob no image or job uses, and 4. one an image's history uses.
    const lostRef = `refs/${'1'.repeat(64)}.png`;
    const usedRef = `refs/${'2'.repeat(64)}.png`;
    for (const key of [lostRef, usedRef]) {
      await markPending(blobs, key);
      await blobs.put(key, bytes);
    }
    const id = newImageId();
    await images.insert(
      imageRecord({
        id,
        kind: 'edit',
        prompt: 'an edit',
        modelId: 'gemini-3.1-flash-image',
        modelAlias: 'nb2',
        width: 1,
        height: 1,
        mimeType: 'image/png',
        blobKey: `images/2026/12/${id}.png`,
        history: JSON.stringify([{ role: 'user', parts: [{ storedData: { mimeType: 'image/png', key: usedRef } }] }]),
      }),
    );
    // 5. Killed in the middle of writing the blob (local folder: a temp file, no blob).
    const midWrite = upload(newUploadId());
    await markPending(blobs, midWrite);
    if (kind === 'local folder') {
      await mkdir(path.join(blobDir, 'uploads', '2026', '12'), { recursive: true });
      await writeFile(path.join(blobDir, 'uploads', '2026', '12', '.tmp-0123456789abcdef'), bytes.subarray(0, 5));
      const past = new Date(Date.now() - 10 * 60_000);
      await utimes(path.join(blobDir, 'uploads', '2026', '12', '.tmp-0123456789abcdef'), past, past);
      // 6. Killed while writing a marker: a temp file in pending/.
      await writeFile(path.join(blobDir, 'pending', '.tmp-fedcba9876543210'), 'uploads/2026/1');
    }

    // Right now every marker is young: writes in flight on some instance, left alone.
    expect(await reconcilePendingBlobs({ db: database.db, blobs })).toEqual({
      removedOrphans: 0,
      clearedMarkers: 0,
      removedTempFiles: 0,
    });
    expect(await exists(blobs, orphan)).toBe(true);

    const later = new Date(Date.now() + 5 * 60_000);
    const report = await reconcilePendingBlobs({ db: database.db, blobs, now: later });
    expect(report).toEqual({
      removedOrphans: 3,
      clearedMarkers: 2,
      removedTempFiles: kind === 'local folder' ? 2 : 0,
    });
    expect(await exists(blobs, orphan)).toBe(false);
    expect(await exists(blobs, lostRef)).toBe(false);
    expect(await exists(blobs, done)).toBe(true);
    expect(await exists(blobs, usedRef)).toBe(true);
    for (const key of [orphan, done, lostRef, usedRef, midWrite])
      expect(await exists(blobs, pendingMarkerKey(key))).toBe(false);
    if (kind === 'local folder') {
      expect(await readdir(path.join(blobDir, 'uploads', '2026', '12'))).toHaveLength(1);
      expect(await readdir(path.join(blobDir, 'pending'))).toEqual([]);
    }
    // Nothing left to look at: a second start does no work.
    expect(await reconcilePendingBlobs({ db: database.db, blobs, now: later })).toEqual({
      removedOrphans: 0,
      clearedMarkers: 0,
      removedTempFiles: 0,
    });
  });
});

describe('SIGKILL in the middle of upload_file, then a restart (the built server, local folder)', () => {
  it('leaves no upload without its row once the server has started again', async () => {
    const work = await mkdtemp(path.join(root, 'kill-'));
    const emu = await startEmulator();
    // About 12 MB of noise, so that writing it takes a while; a different picture each round (a repeat
    // would be found by its hash and not written again).
    const noise = Buffer.alloc(2000 * 2000 * 3);
    for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 2654435761) >>> 24;
    const dataDir = path.join(work, 'data');
    const env = { STUDIO_ALLOWED_ROOTS: work };
    let interrupted = 0;
    let took = 0;
    const rounds = 10;
    for (let round = 0; round <= rounds; round += 1) {
      noise[round] = 255 - (noise[round] as number);
      const copy = path.join(work, `big-${round}.png`);
      await sharp(noise, { raw: { width: 2000, height: 2000, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toFile(copy);
      const studio = await startStudio('stdio', { dataDir, env, geminiUrl: emu.url });
      // Warm the server up with a small upload, so that the big one starts at once.
      const small = path.join(work, `small-${round}.png`);
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: round, g: 0, b: 0 } } })
        .png()
        .toFile(small);
      await studio.client.callTool({ name: 'upload_file', arguments: { path: small } });
      const call = studio.client
        .callTool({ name: 'upload_file', arguments: { path: copy, display_name: `round ${round}` } })
        .catch(() => undefined);
      if (round === 0) {
        // The first runs to its end, to learn how long an upload takes here; the others are killed
        // somewhere between 5% and 105% of that.
        const started = Date.now();
        await call;
        took = Date.now() - started;
        await studio.close();
        continue;
      }
      await new Promise((r) => setTimeout(r, took * (0.05 + round / rounds)));
      studio.kill();
      await call;
      const leftovers = await pendingMarkers(dataDir);
      if (leftovers.length > 0) interrupted += 1;
      // The markers age past the grace period before the next start (as if the restart came later).
      const past = new Date(Date.now() - 10 * 60_000);
      for (const marker of leftovers) await utimes(marker, past, past);
      for (const temp of await tempFiles(path.join(dataDir, 'uploads'))) await utimes(temp, past, past);
    }
    const studio = await startStudio('stdio', { dataDir, env, geminiUrl: emu.url });
    try {
      await waitFor(
        async () => (await pendingMarkers(dataDir)).length === 0,
        async () => `markers left: ${(await pendingMarkers(dataDir)).join(', ')}`,
      );
      const listed = (await studio.client.callTool({ name: 'list_uploads', arguments: {} })) as {
        content: unknown[];
      };
      const files = (await filesUnder(path.join(dataDir, 'uploads'))).map((f) => path.basename(f, '.png'));
      console.error(
        `upload_file (${took} ms) killed ${rounds} times: ${interrupted} left a journalled write; ${files.length} uploads kept`,
      );
      for (const id of files) expect(textOf(listed)).toContain(id);
      expect(await tempFiles(path.join(dataDir, 'uploads'))).toEqual([]);
    } finally {
      await studio.close({ removeData: true });
      await emu.close();
    }
  }, 180_000);
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
async function pendingMarkers(dataDir: string) {
  return filesUnder(path.join(dataDir, 'pending'));
}
async function tempFiles(dir: string) {
  return (await filesUnder(dir)).filter((f) => path.basename(f).startsWith('.tmp-'));
}
async function waitFor(done: () => Promise<boolean>, left: () => Promise<string>, ms = 20_000) {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out; ${await left()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
