/**
 * Merging one `[mcp_servers.<name>]` table into a TOML configuration (Codex's `config.toml`). The file is
 * edited as text, so every other table, key and comment stays where it was; the result is parsed again and
 * compared with what it must contain, and only if that fails is the whole file re-serialised.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify, type TomlTable } from 'smol-toml';
import type { MergeResult } from './mergeJson.js';

export { TomlError } from 'smol-toml';

/** The file's shape does not allow the edit (e.g. `mcp_servers` is not a table). */
export class TomlShapeError extends Error {
  override readonly name = 'TomlShapeError';
}

function parseToml(text: string): TomlTable {
  return parse(text, { integersAsBigInt: 'asNeeded' });
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The `mcp_servers` table (empty when missing). Throws TomlError for invalid TOML, TomlShapeError for a wrong shape. */
export function readTomlServers(text: string | undefined, serversKey: string): Record<string, unknown> {
  if (text === undefined) return {};
  const servers = parseToml(text)[serversKey];
  if (servers === undefined) return {};
  if (!isTable(servers)) throw new TomlShapeError(`"${serversKey}" is not a table`);
  return servers;
}

/** The TOML text of `[serversKey.name]` holding `entry` (sub-tables such as `env` follow as their own tables). */
export function tomlBlock(serversKey: string, name: string, entry: Record<string, unknown>): string {
  return stringify({ [serversKey]: { [name]: entry } });
}

export function mergeTomlServer(input: {
  text: string | undefined;
  serversKey: string;
  name: string;
  entry: Record<string, unknown>;
}): MergeResult {
  const { text, serversKey, name, entry } = input;
  const block = tomlBlock(serversKey, name, entry);
  if (text === undefined || text.trim() === '') return { text: `${block}\n` };

  const expected = parseToml(text);
  const servers = expected[serversKey] ?? {};
  if (!isTable(servers)) throw new TomlShapeError(`"${serversKey}" is not a table`);
  const old = servers[name];
  if (old !== undefined && !isTable(old)) throw new TomlShapeError(`"${serversKey}.${name}" is not a table`);
  servers[name] = entry as TomlTable;
  expected[serversKey] = servers;

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edited = spliceBlock(text, serversKey, name, block.replace(/\n/g, eol), eol);
  try {
    if (edited !== undefined && isDeepStrictEqual(plain(parseToml(edited)), plain(expected))) return { text: edited };
  } catch {
    // An edit that does not parse falls through to the rewrite below.
  }
  return {
    text: `${stringify(expected)}\n`,
    note: `${serversKey}.${name} was defined in a form that cannot be edited in place, so the file was rewritten: comments were not kept (the backup has them).`,
  };
}

/** JSON-like copy for comparison: no null prototypes, dates and big integers as strings. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Date ? `@${v.toISOString()}` : v,
    ),
  );
}

const HEADER = /^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$/;

/** Splits a dotted TOML key (`a."b.c".'d'`) into its parts; `undefined` when it is not one. */
export function splitDottedKey(key: string): string[] | undefined {
  const parts: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(\.|$)/y;
  let pos = 0;
  while (pos < key.length) {
    re.lastIndex = pos;
    const m = re.exec(key);
    if (!m) return undefined;
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) {
      try {
        parts.push(JSON.parse(`"${m[2]}"`) as string);
      } catch {
        return undefined;
      }
    } else parts.push(m[3] ?? '');
    pos = re.lastIndex;
    if (m[4] === '') break;
  }
  return parts;
}

/**
 * Replaces the tables `[serversKey.name]` and `[serversKey.name.*]` with `block`, where the first of them
 * was, or appends `block` at the end. Header-looking lines inside multi-line strings are skipped.
 */
function spliceBlock(text: string, serversKey: string, name: string, block: string, eol: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const headers: Array<{ line: number; ours: boolean }> = [];
  let inMultiline: '"""' | "'''" | undefined;
  lines.forEach((line, index) => {
    if (inMultiline === undefined) {
      const m = HEADER.exec(line);
      if (m?.[2] !== undefined) {
        const path = splitDottedKey(m[2]);
        headers.push({ line: index, ours: path !== undefined && path[0] === serversKey && path[1] === name });
      }
    }
    for (const delimiter of ['"""', "'''"] as const) {
      const count = line.split(delimiter).length - 1;
      if (count % 2 === 1 && (inMultiline === undefined || inMultiline === delimiter)) {
        inMultiline = inMultiline === undefined ? delimiter : undefined;
      }
    }
  });
  if (inMultiline !== undefined) return undefined;

  // Each of our tables runs to the next header, less the blank and comment lines just above that header
  // (they usually describe the next table).
  const remove = new Set<number>();
  let firstRemoved: number | undefined;
  headers.forEach((header, i) => {
    if (!header.ours) return;
    const next = headers[i + 1];
    let end = (next?.line ?? lines.length) - 1;
    // Up to the next of our own tables everything goes; before anyone else's, blank and comment lines stay.
    if (next?.ours !== true) while (end > header.line && /^\s*(#.*)?$/.test(lines[end] ?? '')) end--;
    for (let l = header.line; l <= end; l++) remove.add(l);
    firstRemoved ??= header.line;
  });

  const blockLines = block.replace(/(\r?\n)+$/, '').split(/\r?\n/);
  if (firstRemoved === undefined) {
    const body = text.replace(/(\r?\n)*$/, '');
    return `${body}${body === '' ? '' : `${eol}${eol}`}${blockLines.join(eol)}${eol}`;
  }
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (index === firstRemoved) out.push(...blockLines);
    if (!remove.has(index)) out.push(line);
  });
  return out.join(eol);
}
