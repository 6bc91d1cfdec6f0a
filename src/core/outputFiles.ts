/**
 * Copies of results written where the caller asked (stdio `output_path`): a file, or a folder to put
 * named files in, always inside the allowed roots and never in the studio's data folder, always with an
 * extension that matches the bytes. A file already there is kept unless the call says `overwrite`: the
 * copy then gets the next free name (`-2`, `-3`, …), and the result says so.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { constants, copyFile, link, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertPathLength, resolveWritablePath } from './allowedPaths.js';
import { InvalidInputError } from './errors.js';
import { convertImage } from './imaging.js';
import { makeFolder } from './makeFolder.js';
import { extensionForMime } from './mime.js';
import type { CallContext, CommonImageOptions, ImageJob } from './studioTypes.js';

/** Where a job's copy went (`outputPath`), the file kept at the asked-for name, or why there is no copy. */
export interface OutputCopy {
  outputPath?: string;
  /** The file that was already at the asked-for name, left as it was (the copy got the next free name). */
  outputKept?: string;
  /** Why the copy could not be written (the image itself is stored): `<planned path>: <reason>`. */
  outputError?: string;
}

/** What a job keeps of the output request, per image: where, whether to replace, which folders never. */
export type OutputPlan = Pick<ImageJob, 'outputPath' | 'outputOverwrite' | 'outputProtected'>;

const CONVERTIBLE: Record<string, 'image/png' | 'image/jpeg' | 'image/webp'> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/** How many other names are tried before giving up (`name-2` … `name-1000`). */
const MAX_ALTERNATIVES = 1000;

/**
 * Plans `output_path` for `n` images once, when the jobs are planned: resolved against the allowed roots
 * (never the data folder) to an absolute path per image, a folder (kept with its trailing separator) for
 * all, or `name.ext` for one image and `name-1.ext`, `name-2.ext`, … for several. A folder is a path that
 * ends in a separator or is one already, or (with `outputNewNameIsFolder`, the CLI's `--out`) a new name
 * without an image extension.
 */
export async function planOutputs(input: CommonImageOptions, n: number, ctx: CallContext): Promise<OutputPlan[]> {
  const requested = input.outputPath;
  if (requested === undefined) return Array.from({ length: n }, () => ({}));
  if (!ctx.paths) throw new InvalidInputError('output_path is only available on a local (stdio) server.');
  const absolute = await resolveWritablePath(requested, ctx.paths);
  const existing = await stat(absolute).catch(() => undefined);
  const isFolder =
    /[/\\]$/.test(requested) ||
    existing?.isDirectory() === true ||
    (existing === undefined &&
      input.outputNewNameIsFolder === true &&
      !(path.extname(absolute).toLowerCase() in CONVERTIBLE));
  const ext = path.extname(absolute);
  const stem = ext ? absolute.slice(0, -ext.length) : absolute;
  const options = {
    ...(input.overwrite ? { outputOverwrite: true } : {}),
    ...(ctx.paths.protectedRoots?.length ? { outputProtected: ctx.paths.protectedRoots } : {}),
  };
  return Array.from({ length: n }, (_, i) => ({
    outputPath: isFolder ? `${absolute}${path.sep}` : n === 1 ? absolute : `${stem}-${i + 1}${ext}`,
    ...options,
  }));
}

/**
 * Writes the copy a job planned (see {@link planOutputs}) of its stored image: in a planned folder as
 * `<prompt slug>-<id end>.<ext>`, or at the planned file name with the extension that matches the bytes
 * (`.png`, `.jpg` and `.webp` names convert). The data folder is checked again (the folder may have become
 * a link into it since). A copy that cannot be written does not cost the (billed) image: the answer says
 * why instead.
 */
export async function saveOutputCopy(
  job: Pick<ImageJob, 'imageId' | 'prompt'> & OutputPlan,
  image: { data: Buffer; mimeType: string },
): Promise<OutputCopy> {
  const planned = job.outputPath;
  if (planned === undefined) return {};
  try {
    return await writeCopy(job, planned, image);
  } catch (error) {
    return { outputError: `${planned}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function writeCopy(
  job: Pick<ImageJob, 'imageId' | 'prompt'> & OutputPlan,
  planned: string,
  image: { data: Buffer; mimeType: string },
): Promise<OutputCopy> {
  // Checked against the allowed roots when the job was planned: its parent folder is the root now.
  const isFolder = /[/\\]$/.test(planned);
  const parent = path.dirname(planned.replace(/[/\\]+$/, ''));
  const target = await resolveWritablePath(planned, { roots: [parent], protectedRoots: job.outputProtected });
  let data = image.data;
  let file: string;
  if (isFolder) {
    file = path.join(target, `${slug(job.prompt)}-${job.imageId.slice(-8)}.${extensionForMime(image.mimeType)}`);
  } else {
    const ext = path.extname(target).toLowerCase();
    const wanted = CONVERTIBLE[ext];
    const stem = ext ? target.slice(0, -ext.length) : target;
    if (wanted && wanted !== image.mimeType) data = await convertImage(image.data, wanted);
    file = `${stem}${wanted ? ext : `.${extensionForMime(image.mimeType)}`}`;
  }
  assertPathLength(file);
  await makeFolder(path.dirname(file));
  // The temp name does not grow with the target's, so a name near the limit still works.
  const temp = path.join(path.dirname(file), `.tmp-${randomBytes(6).toString('hex')}`);
  await writeFile(temp, data);
  try {
    if (job.outputOverwrite) {
      await rename(temp, file);
      return { outputPath: file };
    }
    const written = await linkToFreeName(temp, file);
    await unlink(temp);
    return written === file ? { outputPath: file } : { outputPath: written, outputKept: file };
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
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
