/**
 * Copies of results written where the caller asked (stdio `output_path`): a file, or a folder to put
 * named files in, always inside the allowed roots and never in the studio's data folder, always with an
 * extension that matches the bytes. A file already there is kept unless the call says `overwrite`: the
 * copy then gets the next free name (`-2`, `-3`, …), and the result says so.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants, copyFile, link, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertPathLength, type PathPolicy, resolveWritablePath } from './allowedPaths.js';
import { InvalidInputError } from './errors.js';
import { convertImage } from './imaging.js';
import { extensionForMime } from './mime.js';
import type { CallContext, CommonImageOptions } from './studioTypes.js';

export interface OutputImage {
  id: string;
  prompt: string;
  data: Buffer;
  mimeType: string;
}

/** Where a copy went; `kept` is the file that was already at the asked-for name (left as it was). */
export interface OutputCopy {
  path: string;
  kept?: string;
}

const CONVERTIBLE: Record<string, 'image/png' | 'image/jpeg' | 'image/webp'> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/** How many other names are tried before giving up (`name-2` … `name-1000`). */
const MAX_ALTERNATIVES = 1000;

/** Writes each image to the output location and returns where each went, in order. */
export async function writeOutputCopies(
  images: OutputImage[],
  requested: string,
  policy: PathPolicy,
  options: { overwrite?: boolean } = {},
): Promise<OutputCopy[]> {
  const target = await resolveWritablePath(requested, policy);
  const isFolder = /[/\\]$/.test(requested) || (await stat(target).catch(() => undefined))?.isDirectory() === true;
  const copies: OutputCopy[] = [];
  for (const [index, image] of images.entries()) {
    let data = image.data;
    let file: string;
    if (isFolder) {
      file = path.join(target, `${slug(image.prompt)}-${image.id.slice(-8)}.${extensionForMime(image.mimeType)}`);
    } else {
      const ext = path.extname(target).toLowerCase();
      const wanted = CONVERTIBLE[ext];
      const stem = ext ? target.slice(0, -ext.length) : target;
      const suffix = images.length > 1 ? `-${index + 1}` : '';
      if (wanted && wanted !== image.mimeType) data = await convertImage(image.data, wanted);
      file = `${stem}${suffix}${wanted ? ext : `.${extensionForMime(image.mimeType)}`}`;
    }
    assertPathLength(file);
    await mkdir(path.dirname(file), { recursive: true });
    // The temp name does not grow with the target's, so a name near the limit still works.
    const temp = path.join(path.dirname(file), `.tmp-${randomBytes(6).toString('hex')}`);
    await writeFile(temp, data);
    try {
      if (options.overwrite) {
        await rename(temp, file);
        copies.push({ path: file });
      } else {
        const written = await linkToFreeName(temp, file);
        await unlink(temp);
        copies.push(written === file ? { path: file } : { path: written, kept: file });
      }
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
  return copies;
}

/** Gives `temp` the name `file`, or `file-2`, `file-3`, … whichever is free, without ever replacing one. */
async function linkToFreeName(temp: string, file: string): Promise<string> {
  const ext = path.extname(file);
  const stem = file.slice(0, file.length - ext.length);
  for (let n = 1; n <= MAX_ALTERNATIVES; n += 1) {
    const candidate = n === 1 ? file : `${stem}-${n}${ext}`;
    assertPathLength(candidate);
    try {
      // link() fails with EEXIST instead of replacing: no window in which another writer's file is lost.
      await link(temp, candidate).catch(async (error: NodeJS.ErrnoException) => {
        // File systems without hard links (FAT, some network shares): an exclusive copy instead.
        if (error.code === 'EEXIST') throw error;
        await copyFile(temp, candidate, constants.COPYFILE_EXCL);
      });
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new InvalidInputError(
    `"${file}" and ${MAX_ALTERNATIVES - 1} numbered names after it exist already. Choose another name, or pass overwrite: true to replace the file.`,
  );
}

/**
 * Resolves `output_path` against the allowed roots once, at planning, to absolute paths per image: a
 * folder (kept with its trailing slash) for all, or `name.ext`, `name-2.ext`, … for a file and n > 1.
 */
export async function planOutputPaths(
  requested: string | undefined,
  n: number,
  ctx: CallContext,
): Promise<Array<string | undefined>> {
  if (requested === undefined) return Array.from({ length: n }, () => undefined);
  if (!ctx.paths) throw new InvalidInputError('output_path is only available on a local (stdio) server.');
  const absolute = await resolveWritablePath(requested, ctx.paths);
  const isFolder = /[/\\]$/.test(requested) || (await stat(absolute).catch(() => undefined))?.isDirectory() === true;
  if (isFolder) return Array.from({ length: n }, () => `${absolute}${path.sep}`);
  if (n === 1) return [absolute];
  const ext = path.extname(absolute);
  const stem = ext ? absolute.slice(0, -ext.length) : absolute;
  return Array.from({ length: n }, (_, i) => `${stem}-${i + 1}${ext}`);
}

/** What a job keeps of the output request: overwrite, and the folders never written to. */
export function outputOptions(input: CommonImageOptions, ctx: CallContext) {
  if (input.outputPath === undefined) return {};
  return {
    ...(input.overwrite ? { outputOverwrite: true } : {}),
    ...(ctx.paths?.protectedRoots?.length ? { outputProtected: ctx.paths.protectedRoots } : {}),
  };
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s || 'image';
}
