import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface WalkedFile {
  /** Path relative to the walk's root, with `/` separators. */
  relative: string;
  absolute: string;
  modifiedAt: Date;
}

/**
 * Every regular file under `dir`, depth first. Files or folders that vanish during the walk (a
 * concurrent delete or rename) are skipped rather than failing the walk; a missing `dir` yields nothing.
 */
export async function* walkFiles(root: string, dir: string): AsyncGenerator<WalkedFile> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isGone(error)) return;
    throw error;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walkFiles(root, absolute);
    } else if (entry.isFile()) {
      let modifiedAt: Date;
      try {
        modifiedAt = (await stat(absolute)).mtime;
      } catch (error) {
        if (isGone(error)) continue;
        throw error;
      }
      yield { relative: path.relative(root, absolute).split(path.sep).join('/'), absolute, modifiedAt };
    }
  }
}

export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
