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
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
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
