#!/usr/bin/env node
// Enforces the one-direction layering of src/: each folder may import only the folders and npm packages
// listed here (type-only imports of sibling folders are exempt), and no file may import itself through
// others: an import cycle fails too, type-only imports and `import()` included (the cycles issue 17 named
// were type-only: a type is shared through a leaf module, not by two files reading each other). Either
// fails `npm run lint`. `--src DIR` checks another tree laid out like src/ (tests/checkLayers.spec.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { src: { type: 'string' } } });
const SRC = path.resolve(args.src ?? path.join(import.meta.dirname, '../src'));
const RULES = {
  core: { folders: [], packages: ['zod', 'sharp', 'image-size'] },
  config: { folders: ['core'], packages: ['zod'] },
  gemini: { folders: ['core'], packages: ['@google/genai'] },
  store: {
    folders: ['core'],
    packages: [
      'kysely',
      'better-sqlite3',
      'pg',
      'pg-boss',
      'zod',
      '@aws-sdk/client-s3',
      '@aws-sdk/s3-request-presigner',
    ],
  },
  emulator: { folders: [], packages: ['sharp'] },
  mcp: { folders: [], packages: ['@modelcontextprotocol/server', 'zod'] },
  tools: {
    folders: ['core', 'mcp'],
    packages: ['@modelcontextprotocol/server', '@modelcontextprotocol/ext-apps', 'zod'],
  },
  server: { folders: ['core', 'mcp', 'tools', 'config'], packages: ['@modelcontextprotocol/server'] },
  http: {
    folders: ['core'],
    packages: ['@modelcontextprotocol/server', '@modelcontextprotocol/hono', 'hono', '@hono/node-server'],
  },
  // Sign-in for MCP clients (better-auth issues its own SQL on its own tables, through our Kysely instance).
  auth: {
    folders: ['core'],
    packages: ['better-auth', '@better-auth/mcp', '@better-auth/oauth-provider', 'hono', 'jose'],
  },
  // The studio dashboard for people (/ui): server-rendered pages over the core.
  ui: { folders: ['core'], packages: ['hono'] },
  // Metrics and traces behind core/telemetry (prom-client; OpenTelemetry loaded only when exporting).
  observability: {
    folders: ['core'],
    packages: [
      'prom-client',
      '@opentelemetry/api',
      '@opentelemetry/sdk-trace',
      '@opentelemetry/exporter-trace-otlp-http',
      '@opentelemetry/resources',
      '@opentelemetry/core',
    ],
  },
  cli: { folders: ['*'], packages: ['*'] },
  // The in-chat gallery view (runs in the host's iframe, bundled by scripts/buildApp.mjs).
  app: { folders: [], packages: ['@modelcontextprotocol/ext-apps'] },
};
// Packages only one folder may import, whatever the rules above allow elsewhere.
const EXCLUSIVE = {
  '@google/genai': 'gemini',
  kysely: 'store',
  'better-sqlite3': 'store',
  pg: 'store',
  'pg-boss': 'store',
  '@aws-sdk/client-s3': 'store',
  '@aws-sdk/s3-request-presigner': 'store',
  'prom-client': 'observability',
  '@opentelemetry/sdk-trace': 'observability',
  '@opentelemetry/exporter-trace-otlp-http': 'observability',
};

/** Static, type-only, dynamic and bare imports and re-exports (group 2: `type`; 3, 4 or 5: the specifier). */
const IMPORT =
  /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^\s*import\s+'([^']+)'/gm;
const violations = [];
/** File → the src/ files it imports (relative paths, any kind of import). */
const graph = new Map();
for (const file of walk(SRC)) {
  const rel = path.relative(SRC, file);
  const folder = rel.split(path.sep)[0];
  const rule = RULES[folder];
  const text = readFileSync(file, 'utf8');
  graph.set(rel, localImports(file, text));
  if (!rule) {
    if (rel.includes(path.sep))
      violations.push(`${rel}: folder "${folder}" has no layering rule in scripts/checkLayers.mjs`);
    continue;
  }
  for (const match of text.matchAll(IMPORT)) {
    const typeOnly = Boolean(match[2]);
    const spec = match[3] ?? match[4] ?? match[5];
    if (spec.startsWith('node:')) continue;
    if (spec.startsWith('.')) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0];
      if (target === folder || typeOnly || rule.folders.includes('*') || rule.folders.includes(target)) continue;
      violations.push(
        `${rel}: imports ${spec} (folder "${target}"), but ${folder}/ may import only: ${rule.folders.join(', ') || 'nothing'}`,
      );
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      const owner = EXCLUSIVE[pkg];
      if (owner && owner !== folder && !typeOnly) {
        violations.push(`${rel}: imports ${pkg}, which only src/${owner}/ may import`);
      } else if (!owner && !typeOnly && !rule.packages.includes('*') && !rule.packages.includes(pkg)) {
        violations.push(
          `${rel}: imports package ${pkg}, not allowed in ${folder}/ (allowed: ${rule.packages.join(', ')})`,
        );
      }
    }
  }
}
const cycles = importCycles(graph);
if (violations.length) process.stderr.write(`Layering violations:\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
if (cycles.length) {
  process.stderr.write(
    `Import cycles (type-only imports count; move what both sides need into a leaf module):\n${cycles.map((c) => `  ${c}`).join('\n')}\n`,
  );
}
if (violations.length || cycles.length) process.exit(1);
process.stderr.write('layers: ok, no import cycles\n');

/** The src/ files a file imports, by path relative to SRC (`./x.js` is the source `./x.ts`). */
function localImports(file, text) {
  const targets = new Set();
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[3] ?? match[4] ?? match[5];
    if (!spec.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), spec);
    const source = [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')].find(
      (candidate) => candidate.endsWith('.ts') && existsSync(candidate),
    );
    if (source) targets.add(path.relative(SRC, source));
  }
  return [...targets];
}

/**
 * Every strongly connected group of files (Tarjan), each told as its shortest cycle through its first file,
 * plus the other files caught in the same knot.
 */
function importCycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  let next = 0;
  const visit = (file) => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file), low.get(target)));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file), index.get(target)));
    }
    if (low.get(file) !== index.get(file)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || (edges.get(file) ?? []).includes(file)) groups.push(group.sort());
  };
  for (const file of [...edges.keys()].sort()) if (!index.has(file)) visit(file);
  return groups
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map((group) => {
      const cycle = shortestCycle(group[0], new Set(group), edges);
      const others = group.filter((f) => !cycle.includes(f));
      return `${cycle.join(' → ')} → ${cycle[0]}${others.length ? ` (same knot: ${others.join(', ')})` : ''}`;
    });
}

/** Breadth-first from `start` back to itself, inside its group. */
function shortestCycle(start, group, edges) {
  const parent = new Map();
  const queue = [start];
  while (queue.length) {
    const file = queue.shift();
    for (const target of edges.get(file) ?? []) {
      if (!group.has(target)) continue;
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(parent.get(path[0]));
        return path;
      }
      if (!parent.has(target)) {
        parent.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start];
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (name.endsWith('.ts')) yield full;
  }
}
