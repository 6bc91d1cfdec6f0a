/**
 * File chores of `install`: read a configuration that may not exist, keep a timestamped backup, replace a
 * file atomically (never half-written, symlinks followed, permissions kept), and show a change as a diff.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../../core/makeFolder.js';

/** The file's text, or `undefined` when it does not exist. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** Copies `file` to `<file>.bak-YYYYMMDD-HHMMSS` (with `-2`, `-3`… when that exists) and returns its path. */
export async function backup(file: string, now = new Date()): Promise<string> {
  const base = `${file}.bak-${stamp(now)}`;
  for (let n = 1; ; n++) {
    const target = n === 1 ? base : `${base}-${n}`;
    try {
      await copyFile(file, target, constants.COPYFILE_EXCL);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw error;
    }
  }
}

/**
 * Writes `text` to `file` through a temporary file in the same folder and a rename, so a reader sees the
 * old or the new file, never a partial one. A symlink is followed (the link stays a link). The old file's
 * permissions are kept; a new file gets `newFileMode`.
 */
export async function writeAtomic(file: string, text: string, newFileMode = 0o644): Promise<void> {
  let target = file;
  let mode = newFileMode;
  try {
    target = await realpath(file);
    mode = (await stat(target)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await makeFolder(path.dirname(file));
  }
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Hides secret-looking values (`…KEY…`, `…TOKEN…`, `…SECRET…`, `…PASSWORD…`) in a line of JSON or TOML. */
export function maskSecrets(line: string): string {
  return line.replace(
    /((?:"[^"\n]*|\b[\w.-]*)(?:key|token|secret|password)[\w.-]*"?\s*[:=]\s*")([^"\n$][^"\n]*)"/gi,
    '$1********"',
  );
}

/**
 * A unified-style diff of two texts: the changed lines between the common beginning and end, with a few
 * lines of context. Secret-looking values are masked.
 */
export function diffText(before: string, after: string, context = 2): string {
  const a = before === '' ? [] : before.replace(/\r?\n$/, '').split(/\r?\n/);
  const b = after.replace(/\r?\n$/, '').split(/\r?\n/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  if (head === a.length && head === b.length) return '';
  const from = Math.max(0, head - context);
  const out = [
    `@@ -${from + 1},${a.length - tail - from + Math.min(context, tail)} +${from + 1},${b.length - tail - from + Math.min(context, tail)} @@`,
  ];
  for (let i = from; i < head; i++) out.push(`  ${a[i]}`);
  for (let i = head; i < a.length - tail; i++) out.push(`- ${a[i]}`);
  for (let i = head; i < b.length - tail; i++) out.push(`+ ${b[i]}`);
  for (let i = b.length - tail; i < Math.min(b.length, b.length - tail + context); i++) out.push(`  ${b[i]}`);
  return out.map(maskSecrets).join('\n');
}
