/**
 * Issue 14: gallery thumbnails are made in the background after a quiet moment (no image stored for
 * THUMBNAIL_QUIET_MS), so the CPU goes to the calls that wait first; at most THUMBNAIL_MAX_DELAY_MS late;
 * never twice; and dropped when their server closes (made on first view instead).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropQueuedThumbnails, storeThumbnailLater, THUMBNAIL_QUIET_MS, thumbnailKey } from '../src/core/thumbnails.js';
import { createLocalBlobStore } from '../src/store/localBlobStore.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the thumbnail queue', () => {
  let dir: string;
  let image: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-thumbq-'));
    image = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3a6' } })
      .jpeg()
      .toBuffer();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('waits while images keep coming, then makes each once things are quiet', async () => {
    const blobs = createLocalBlobStore(path.join(dir, 'a'));
    const made: string[] = [];
    const queue = (id: string) =>
      storeThumbnailLater(blobs, id, async () => {
        made.push(id);
        return image;
      });
    const first = queue('img_q0');
    // A new image every 50 ms for half a second: never quiet for 250 ms, with room for a slow machine.
    const rest: Array<Promise<unknown>> = [];
    for (let i = 1; i <= 10; i++) {
      await sleep(50);
      rest.push(queue(`img_q${i}`));
    }
    expect(made).toEqual([]);
    const quietFrom = Date.now();
    await first;
    expect(Date.now() - quietFrom).toBeGreaterThanOrEqual(THUMBNAIL_QUIET_MS - 120);
    await Promise.all(rest);
    expect(made).toEqual(Array.from({ length: 11 }, (_, i) => `img_q${i}`));
    const thumb = await sharp(await blobs.get(thumbnailKey('img_q3'))).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 320, 240]);
  });

  it('does not make one that was made on demand meanwhile', async () => {
    const blobs = createLocalBlobStore(path.join(dir, 'b'));
    await blobs.put(thumbnailKey('img_ondemand'), Buffer.from('made by a gallery view'));
    let read = false;
    await storeThumbnailLater(blobs, 'img_ondemand', async () => {
      read = true;
      return image;
    });
    expect(read).toBe(false);
    expect((await blobs.get(thumbnailKey('img_ondemand'))).toString()).toBe('made by a gallery view');
  });

  it('drops what is still queued when its server closes', async () => {
    const blobs = createLocalBlobStore(path.join(dir, 'c'));
    const pending = storeThumbnailLater(blobs, 'img_closing', async () => image);
    dropQueuedThumbnails(blobs);
    await expect(pending).resolves.toBeUndefined();
    expect(await blobs.exists(thumbnailKey('img_closing'))).toBe(false);
    // Another store in the same process is not affected.
    const other = createLocalBlobStore(path.join(dir, 'd'));
    await storeThumbnailLater(other, 'img_other', async () => image);
    expect(await other.exists(thumbnailKey('img_other'))).toBe(true);
  });
});
