/**
 * Issue 14: an image just stored is held for the result that shows it (bytes, first preview, the base64
 * text it arrived as), once; the preview made from that first attempt is the one makePreview makes anyway.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  arrivedBase64,
  base64Of,
  keepFresh,
  rememberBase64,
  startPreview,
  takeFresh,
} from '../src/core/freshImages.js';
import { makePreview, readImageInfo } from '../src/core/imaging.js';
import { silentLogger } from '../src/core/logger.js';
import { DEFAULT_PREVIEW_EDGE } from '../src/core/previewEdge.js';
import { storeThumbnailLater } from '../src/core/thumbnails.js';
import { createLocalBlobStore, type LocalBlobStore } from '../src/store/localBlobStore.js';
import { imageRecord } from './helpers/imageRecord.js';

const noise = (edge: number) =>
  sharp(Buffer.from(Array.from({ length: edge * edge * 3 }, (_, i) => (i * 7919) % 251)), {
    raw: { width: edge, height: edge, channels: 3 },
  });

describe('fresh images', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-fresh-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('knows the base64 text only of the Buffer it arrived as', () => {
    const data = Buffer.from('pixels');
    expect(arrivedBase64(data)).toBeUndefined();
    rememberBase64(data, data.toString('base64'));
    expect(arrivedBase64(data)).toBe('cGl4ZWxz');
    const adjusted = Buffer.from(data);
    expect(arrivedBase64(adjusted)).toBeUndefined();
    expect(base64Of(adjusted)).toBe('cGl4ZWxz');
  });

  it('holds a stored image once, with the preview makePreview would make, and stores its thumbnail', async () => {
    const data = await noise(1500).jpeg({ quality: 90 }).toBuffer();
    const info = await readImageInfo(data);
    const blobs = createLocalBlobStore(dir);
    const stored = imageRecord({ id: 'img_fresh1', blobKey: 'images/img_fresh1.jpg' });
    keepFresh({ blobs, log: silentLogger }, stored, data, info, startPreview(data, info));
    // Only for a reader allowed to see it (the tool passes studio.get's rule); anyone else leaves it held.
    expect(takeFresh('img_fresh1', (r) => r.ownerId === 'someone-else')).toBeUndefined();
    const fresh = takeFresh('img_fresh1', (r) => r.ownerId === 'local');
    expect(takeFresh('img_fresh1', () => true)).toBeUndefined();
    expect(fresh?.data).toBe(data);
    expect(fresh?.record).toBe(stored);
    const first = await fresh?.firstPreview;
    expect(first).toMatchObject({ width: 1024, height: 1024, mimeType: 'image/jpeg', original: false });
    expect(DEFAULT_PREVIEW_EDGE).toBe(1024);
    for (const budget of [10_000_000, 200_000, 20_000]) {
      const direct = await makePreview(data, info, { maxBase64Bytes: budget });
      const reused = await makePreview(data, info, { maxBase64Bytes: budget, first });
      expect(reused?.data.equals(direct?.data as Buffer)).toBe(true);
    }
    await expect.poll(() => blobs.exists('thumbs/img_fresh1.webp'), { timeout: 10_000 }).toBe(true);
    const thumb = await sharp(await blobs.get('thumbs/img_fresh1.webp')).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 320, 320]);
  });

  /**
   * An image stored and taken by its result, as storeResult and the tool do (its preview is the original,
   * so the thumbnail reads the stored file when its turn comes); only a WeakRef to its bytes is returned.
   */
  async function storedAndTaken(blobs: LocalBlobStore, id: string): Promise<WeakRef<Buffer>> {
    const data = await noise(600).jpeg({ quality: 90 }).toBuffer();
    rememberBase64(data, data.toString('base64'));
    const info = await readImageInfo(data);
    const stored = imageRecord({ id, blobKey: `images/${id}.jpg` });
    await blobs.put(stored.blobKey, data);
    keepFresh({ blobs, log: silentLogger }, stored, data, info, startPreview(data, info));
    const taken = takeFresh(id, () => true)?.data === data;
    expect(taken).toBe(true);
    return new WeakRef(data);
  }

  /** True once `ref`'s target has been collected. */
  async function collected(ref: WeakRef<Buffer>): Promise<boolean> {
    // gc() without a flag on the command line: V8 exposes it to a new context once --expose-gc is set.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // Collected in turns of their own: deref() keeps the target alive until the end of the turn it runs in.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
    }
    await new Promise((r) => setTimeout(r, 20));
    return ref.deref() === undefined;
  }

  it('lets the bytes go once the result took them (nothing holds them for the rest of the minute)', async () => {
    const blobs = createLocalBlobStore(dir);
    const ref = await storedAndTaken(blobs, 'img_fresh2');
    await expect.poll(() => blobs.exists('thumbs/img_fresh2.webp'), { timeout: 10_000 }).toBe(true);
    expect(await collected(ref), 'the image Buffer is still reachable').toBe(true);
  });

  it('a thumbnail waiting its turn does not hold the bytes either (it reads the stored file then)', async () => {
    const blobs = createLocalBlobStore(dir);
    // A thumbnail ahead in the queue that waits until we open the gate: the next one waits its turn.
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = await noise(64).jpeg().toBuffer();
    const slow = storeThumbnailLater(blobs, 'img_slow', () => gate.then(() => first));
    const ref = await storedAndTaken(blobs, 'img_fresh3');
    const isCollected = await collected(ref);
    const stillQueued = !(await blobs.exists('thumbs/img_fresh3.webp'));
    expect(isCollected, 'the image Buffer is still reachable').toBe(true);
    expect(stillQueued, 'the thumbnail was made before the check: the test proves nothing').toBe(true);
    open();
    await slow;
    await expect.poll(() => blobs.exists('thumbs/img_fresh3.webp'), { timeout: 10_000 }).toBe(true);
  });

  it('makes a preview of the edge asked for, and does not reuse one made for another edge', async () => {
    const data = await noise(1024).jpeg({ quality: 90 }).toBuffer();
    const info = await readImageInfo(data);
    const small = await startPreview(data, info, 512);
    expect(small).toMatchObject({ width: 512, height: 512, maxEdge: 512 });
    // A 1024 px original within the budget is its own preview when the edge allows it, not the 512 one.
    const large = await makePreview(data, info, { maxBase64Bytes: 10_000_000, first: small });
    expect(large).toMatchObject({ width: 1024, original: true });
    expect((await makePreview(data, info, { maxBase64Bytes: 10_000_000, maxEdge: 768 }))?.width).toBe(768);
  });
});
