/**
 * Creates a folder and its missing parents, like `mkdir(path, { recursive: true })`, but ends.
 *
 * Node's recursive mkdir reads ENOENT as "the parent is missing", makes the parent (EEXIST counts as made)
 * and tries again; under procfs and sysfs a folder that cannot exist answers ENOENT with its parent in
 * place, so `mkdir('/proc/x', { recursive: true })` spins at full CPU for ever, synchronous or not
 * (seen with Node 20 and 24; the same loop was fixed in Bun: oven-sh/bun#40600, and reported against
 * CommandMate: Kewton/CommandMate#1774). A data folder or an output path under /proc would hang the server.
 * Here each level is made once, top-down: a level still "not found" after its parent exists is an error.
 * @module
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function makeFolder(folder: string, options: { mode?: number } = {}): Promise<void> {
  const target = path.resolve(folder);
  const missing: string[] = [];
  for (let dir = target; ; dir = path.dirname(dir)) {
    const found = await stat(dir).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    if (found) {
      if (!found.isDirectory()) throw notAFolder(dir);
      break;
    }
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir, options.mode === undefined ? {} : { mode: options.mode });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(dir)).isDirectory()) continue;
      if (code === 'ENOENT') {
        throw Object.assign(new Error(`Cannot create the folder ${dir}: its parent cannot hold folders.`), {
          code: 'ENOENT',
          path: dir,
        });
      }
      throw error;
    }
  }
}

function notAFolder(dir: string): Error {
  return Object.assign(new Error(`Cannot create a folder inside ${dir}: it is a file, not a folder.`), {
    code: 'ENOTDIR',
    path: dir,
  });
}
