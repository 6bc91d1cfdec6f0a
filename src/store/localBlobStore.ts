import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '../core/errors.js';
import { makeFolder } from '../core/makeFolder.js';
import type { BlobStore } from '../core/ports.js';
import { assertValidKey, assertValidPrefix, TEMP_PREFIX } from './blobKeys.js';
import { isGone, walkFiles } from './walkFiles.js';

/** A blob store in a local folder, plus the temp-file sweep only a file system needs. */
export interface LocalBlobStore extends BlobStore {
  readonly rootDir: string;
  /** Deletes `.tmp-*` files under `prefix` last modified at or before `olderThan`; returns how many. */
  removeStaleTempFiles(prefix: string, olderThan: Date): Promise<number>;
}

export function createLocalBlobStore(rootDir: string): LocalBlobStore {
  const root = path.resolve(rootDir);
  const pathOf = (key: string): string => {
    assertValidKey(key);
    return path.join(root, ...key.split('/'));
  };

  return {
    rootDir: root,

    async put(key, data) {
      const target = pathOf(key);
      const dir = path.dirname(target);
      // Same folder as the target so rename is atomic (same file system): readers see the old file, no
      // file, or the whole new one, never a prefix of it.
      const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      try {
        // The folder is made when the file cannot be created for want of it (once a month for images),
        // not checked before every write.
        const handle = await open(temp, 'wx').catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          await makeFolder(dir);
          return open(temp, 'wx');
        });
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      await syncDir(dir);
    },

    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if (isGone(error)) {
          // Core sees the same error whatever the backend (a file here, an object in s3BlobStore.ts).
          throw new NotFoundError(`The image file ${key} is missing from storage.`, { cause: error });
        }
        throw error;
      }
    },

    async exists(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch (error) {
        if (isGone(error)) return false;
        throw error;
      }
    },

    async delete(key) {
      try {
        await unlink(pathOf(key));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    },

    localPath: (key) => pathOf(key),

    async *list(prefix) {
      for await (const file of walkUnder(root, prefix)) {
        if (!path.basename(file.absolute).startsWith(TEMP_PREFIX)) {
          yield { key: file.relative, modifiedAt: file.modifiedAt };
        }
      }
    },

    async removeStaleTempFiles(prefix, olderThan) {
      let removed = 0;
      for await (const file of walkUnder(root, prefix)) {
        if (path.basename(file.absolute).startsWith(TEMP_PREFIX) && file.modifiedAt <= olderThan) {
          try {
            await unlink(file.absolute);
            removed++;
          } catch (error) {
            if (!isGone(error)) throw error;
          }
        }
      }
      return removed;
    },
  };
}

/** Walks only the folder the prefix pins down, then filters on the full prefix. */
async function* walkUnder(root: string, prefix: string) {
  assertValidPrefix(prefix);
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  for await (const file of walkFiles(root, path.join(root, ...folder.split('/')))) {
    if (file.relative.startsWith(prefix)) yield file;
  }
}

/** Makes the rename itself durable. Windows cannot open folders for syncing; there it is skipped. */
async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the data itself is already synced.
  } finally {
    await handle?.close();
  }
}
