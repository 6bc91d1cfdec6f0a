/**
 * Copies of results written where the caller asked (stdio `output_path`): a file, or a folder to put
 * named files in, always inside the allowed roots, always with an extension that matches the bytes.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type PathPolicy, resolveAllowedPath } from './allowedPaths.js';
import { convertImage } from './imaging.js';
import { extensionForMime } from './mime.js';

export interface OutputImage {
  id: string;
  prompt: string;
  data: Buffer;
  mimeType: string;
}

const CONVERTIBLE: Record<string, 'image/png' | 'image/jpeg' | 'image/webp'> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

/** Writes each image to the output location and returns the absolute paths, in order. */
export async function writeOutputCopies(
  images: OutputImage[],
  requested: string,
  policy: PathPolicy,
): Promise<string[]> {
  const target = await resolveAllowedPath(requested, policy, 'write');
  const isFolder = /[/\\]$/.test(requested) || (await stat(target).catch(() => undefined))?.isDirectory() === true;
  const paths: string[] = [];
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
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temp, data);
    await rename(temp, file);
    paths.push(file);
  }
  return paths;
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
