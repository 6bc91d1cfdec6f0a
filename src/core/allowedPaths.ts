/**
 * Confines every path a caller names (reference images, output files) to the allowed roots: the data
 * folder, the folders in STUDIO_ALLOWED_ROOTS and the client's MCP roots. Symlinks are resolved before
 * the check, so a link that points out of a root is refused too.
 * @module
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ForbiddenError, InvalidInputError } from './errors.js';

export interface PathPolicy {
  /** Absolute folders. */
  roots: string[];
  /** Folders inside the roots that are never written to (the studio's own data folder). */
  protectedRoots?: string[];
  /** Folder that relative paths are resolved against (the first client root), if any. */
  base?: string;
  platform?: NodeJS.Platform;
}

/**
 * Resolves `requested` to an absolute real path inside one of the roots. For a path that does not exist
 * yet (an output file), its nearest existing ancestor is resolved instead.
 */
export async function resolveAllowedPath(requested: string, policy: PathPolicy): Promise<string> {
  if (requested.includes('\0')) throw new InvalidInputError('The path contains a NUL character.');
  assertPathLength(requested);
  const expanded = expandHome(requested.trim());
  if (!path.isAbsolute(expanded) && !policy.base) {
    throw new InvalidInputError(
      `"${requested}" is a relative path and this client shares no folder (MCP roots) to resolve it against. Give an absolute path inside: ${describeRoots(policy.roots)}.`,
    );
  }
  const absolute = path.resolve(policy.base ?? '/', expanded);
  const real = await realpathOfNearestExisting(absolute);
  const realRoots = await Promise.all(policy.roots.map((r) => realpathOfNearestExisting(path.resolve(r))));
  const caseInsensitive = (policy.platform ?? process.platform) !== 'linux';
  if (!realRoots.some((root) => isInside(real, root, caseInsensitive))) {
    throw new ForbiddenError(
      `"${requested}" is outside the folders this server may use. Allowed: ${describeRoots(policy.roots)}. Add a folder with STUDIO_ALLOWED_ROOTS, or share it as a root in your client.`,
    );
  }
  return real;
}

/**
 * Resolves a place to write to: an allowed path that is not inside a protected folder (the data folder
 * holds the studio's own images and database; a copy written there could replace what a record points at).
 */
export async function resolveWritablePath(requested: string, policy: PathPolicy): Promise<string> {
  const real = await resolveAllowedPath(requested, policy);
  const caseInsensitive = (policy.platform ?? process.platform) !== 'linux';
  for (const folder of policy.protectedRoots ?? []) {
    const protectedReal = await realpathOfNearestExisting(path.resolve(folder));
    if (isInside(real, protectedReal, caseInsensitive)) {
      const elsewhere = policy.roots.filter(
        (root) => !isInside(path.resolve(root), path.resolve(folder), caseInsensitive),
      );
      throw new ForbiddenError(
        `"${requested}" is inside the studio's data folder (${folder}), which keeps its own images and database; it is never written to. The image is stored there already (see "file:" in the result). Save the copy elsewhere${elsewhere.length ? `: ${describeRoots(elsewhere)}` : ''}, or add a folder with STUDIO_ALLOWED_ROOTS.`,
      );
    }
  }
  return real;
}

/** Linux limits: 255 bytes per file or folder name (NAME_MAX), 4095 for a whole path (PATH_MAX). */
export const NAME_MAX_BYTES = 255;
export const PATH_MAX_BYTES = 4095;

/** Refuses a path the file system would refuse with ENAMETOOLONG, saying which part is too long. */
export function assertPathLength(requested: string): void {
  const bytes = Buffer.byteLength(requested);
  if (bytes > PATH_MAX_BYTES)
    throw new InvalidInputError(
      `The path is ${bytes} bytes long; file systems take at most ${PATH_MAX_BYTES}. Use a shorter path.`,
    );
  const long = requested.split(/[/\\]/).find((part) => Buffer.byteLength(part) > NAME_MAX_BYTES);
  if (long !== undefined)
    throw new InvalidInputError(
      `A file or folder name in the path is ${Buffer.byteLength(long)} bytes long ("${long.slice(0, 40)}…"); file systems take at most ${NAME_MAX_BYTES} bytes per name. Use a shorter name.`,
    );
}

export function isInside(child: string, parent: string, caseInsensitive = false): boolean {
  const norm = (p: string) => (caseInsensitive ? p.toLowerCase() : p);
  const rel = path.relative(norm(parent), norm(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Converts `file://` root URIs from the client to folder paths; other schemes are ignored. */
export function rootsFromUris(uris: string[]): string[] {
  const out: string[] = [];
  for (const uri of uris) {
    try {
      const url = new URL(uri);
      if (url.protocol === 'file:') out.push(decodeURIComponent(url.pathname.replace(/^\/([A-Za-z]:)/, '$1')));
    } catch {
      // Not a URL: ignore, a client root we cannot use.
    }
  }
  return out;
}

async function realpathOfNearestExisting(absolute: string): Promise<string> {
  let current = absolute;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = await realpath(current);
      return path.join(real, ...tail.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG')
        throw new InvalidInputError(`The path "${absolute.slice(0, 80)}…" is too long for the file system.`);
      if (code === 'ENOTDIR')
        throw new InvalidInputError(`A part of the path "${absolute}" is a file, not a folder. Check the path.`);
      if (code !== 'ENOENT') throw error;
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      tail.push(path.basename(current));
      current = parent;
    }
  }
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(process.env.HOME ?? '', p.slice(1));
  return p;
}

function describeRoots(roots: string[]): string {
  return roots.length ? roots.join(', ') : '(none)';
}
