/**
 * Confines every path a caller names (reference images, uploads, output files) to the allowed folders.
 * On a local server by default: anything under the home folder (read and write) and the working directory
 * (read), except the sensitive places of sensitivePaths.ts. STUDIO_ALLOWED_ROOTS replaces that default
 * with the folders it names; the data folder and the client's MCP roots are always allowed. Symlinks are
 * resolved before the check, so a link that points out of a folder (or into a sensitive place) is refused
 * too.
 * @module
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ForbiddenError, InvalidInputError } from './errors.js';
import { isInside } from './pathMath.js';
import { SENSITIVE_RULE, sensitiveReason } from './sensitivePaths.js';

export interface PathPolicy {
  /** Absolute folders named explicitly: the data folder, STUDIO_ALLOWED_ROOTS, the client's roots. */
  roots: string[];
  /** Folders inside the roots that are never written to (the studio's own data folder). */
  protectedRoots?: string[];
  /** Folder that relative paths are resolved against (the first client root), if any. */
  base?: string;
  platform?: NodeJS.Platform;
  /** The default of a local server: the home folder (read and write), sensitive places excepted. */
  home?: string;
  /** The working directory (read only; ignored when it is a filesystem root such as `/`). */
  cwd?: string;
}

export type PathAccess = 'read' | 'write';

interface Root {
  folder: string;
  explicit: boolean;
  writable: boolean;
}

/**
 * Resolves `requested` to an absolute real path inside one of the allowed folders. For a path that does
 * not exist yet (an output file), its nearest existing ancestor is resolved instead.
 */
export async function resolveAllowedPath(
  requested: string,
  policy: PathPolicy,
  access: PathAccess = 'read',
): Promise<string> {
  if (requested.includes('\0')) throw new InvalidInputError('The path contains a NUL character.');
  assertPathLength(requested);
  const expanded = expandHome(requested.trim(), policy.home);
  if (!path.isAbsolute(expanded) && !policy.base) {
    throw new InvalidInputError(
      `"${requested}" is a relative path and this client shares no folder (MCP roots) to resolve it against. Give an absolute path inside: ${describeRoots(policy)}.`,
    );
  }
  const absolute = path.resolve(policy.base ?? '/', expanded);
  const real = await realpathOfNearestExisting(absolute);
  const caseInsensitive = (policy.platform ?? process.platform) !== 'linux';
  const roots = await realRoots(policy);
  const containing = roots.filter((root) => isInside(real, root.folder, caseInsensitive));
  const usable = containing.filter((root) => access === 'read' || root.writable);
  let refusal: string | undefined;
  for (const root of usable) {
    const reason = sensitiveReason(real, root.folder, { explicitRoot: root.explicit });
    if (reason === undefined) return real;
    refusal ??= reason;
  }
  if (refusal !== undefined) {
    throw new ForbiddenError(
      `"${requested}" is refused: ${refusal}. This server never reads or writes there (${SENSITIVE_RULE}). To use such a folder on purpose, name it in STUDIO_ALLOWED_ROOTS.`,
    );
  }
  const where = containing.length > 0 ? ' for writing' : '';
  throw new ForbiddenError(
    `"${requested}" is outside the folders this server may use${where}. Allowed: ${describeRoots(policy, access)}. Add a folder with STUDIO_ALLOWED_ROOTS, or share it as a root in your client.`,
  );
}

/**
 * Resolves a place to write to: an allowed path that is not inside a protected folder (the data folder
 * holds the studio's own images and database; a copy written there could replace what a record points at).
 */
export async function resolveWritablePath(requested: string, policy: PathPolicy): Promise<string> {
  const real = await resolveAllowedPath(requested, policy, 'write');
  const caseInsensitive = (policy.platform ?? process.platform) !== 'linux';
  for (const folder of policy.protectedRoots ?? []) {
    const protectedReal = await realpathOfNearestExisting(path.resolve(folder));
    if (isInside(real, protectedReal, caseInsensitive)) {
      const elsewhere = {
        ...policy,
        roots: policy.roots.filter((root) => !isInside(path.resolve(root), path.resolve(folder), caseInsensitive)),
      };
      throw new ForbiddenError(
        `"${requested}" is inside the studio's data folder (${folder}), which keeps its own images and database; it is never written to. The image is stored there already (see "file:" in the result). Save the copy elsewhere: ${describeRoots(elsewhere, 'write')}, or add a folder with STUDIO_ALLOWED_ROOTS.`,
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

/** The allowed folders in words, for tool errors and logs. */
export function describeRoots(policy: PathPolicy, access: PathAccess = 'read'): string {
  const parts = [...policy.roots];
  if (policy.home) parts.push(`${policy.home} (your home folder; ${SENSITIVE_RULE})`);
  if (policy.cwd && access === 'read' && !isFilesystemRoot(policy.cwd)) parts.push(`${policy.cwd} (reading only)`);
  return parts.length ? parts.join(', ') : '(none)';
}

async function realRoots(policy: PathPolicy): Promise<Root[]> {
  const roots: Array<Omit<Root, 'folder'> & { path: string }> = policy.roots.map((r) => ({
    path: r,
    explicit: true,
    writable: true,
  }));
  if (policy.home) roots.push({ path: policy.home, explicit: false, writable: true });
  if (policy.cwd && !isFilesystemRoot(policy.cwd)) roots.push({ path: policy.cwd, explicit: false, writable: false });
  return Promise.all(
    roots.map(async (r) => ({
      folder: await realpathOfNearestExisting(path.resolve(r.path)),
      explicit: r.explicit,
      writable: r.writable,
    })),
  );
}

function isFilesystemRoot(folder: string): boolean {
  const resolved = path.resolve(folder);
  return path.dirname(resolved) === resolved;
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

function expandHome(p: string, home: string | undefined): string {
  if (p === '~' || p.startsWith('~/')) return path.join(home ?? process.env.HOME ?? '', p.slice(1));
  return p;
}
