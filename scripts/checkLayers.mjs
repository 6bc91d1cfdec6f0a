#!/usr/bin/env node
// Enforces the one-direction layering of src/: each folder may import only the folders and npm packages
// listed here (type-only imports of sibling folders are exempt). A violation fails `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../src');
const RULES = {
  core: { folders: [], packages: ['zod', 'sharp'] },
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

const violations = [];
for (const file of walk(SRC)) {
  const rel = path.relative(SRC, file);
  const folder = rel.split(path.sep)[0];
  const rule = RULES[folder];
  if (!rule) {
    if (rel.includes(path.sep))
      violations.push(`${rel}: folder "${folder}" has no layering rule in scripts/checkLayers.mjs`);
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(
    /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm,
  )) {
    const typeOnly = Boolean(match[2]);
    const spec = match[3] ?? match[4];
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
if (violations.length) {
  process.stderr.write(`Layering violations:\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
  process.exit(1);
}
process.stderr.write('layers: ok\n');

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else if (name.endsWith('.ts')) yield full;
  }
}
