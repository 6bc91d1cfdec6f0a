#!/usr/bin/env node
// The package mirror on our build machines lacks the non-Linux Biome binaries, so npm leaves those
// optional, platform-gated entries out of package-lock.json, and then `npm ci` rejects the lock as
// incomplete. This puts them back (no download: they are never installed on a platform they don't fit).
// Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const LOCK = path.resolve(import.meta.dirname, '../package-lock.json');
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const PLATFORM = {
  'cli-android-arm64': { os: ['android'], cpu: ['arm64'] },
  'cli-android-x64': { os: ['android'], cpu: ['x64'] },
  'cli-darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'cli-darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'cli-linux-arm64': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'cli-linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'cli-linux-x64': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'cli-linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'cli-win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  'cli-win32-x64': { os: ['win32'], cpu: ['x64'] },
};
let added = 0;
for (const [name, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const short = dep.replace('@biomejs/', '');
    if (lock.packages[key] || !dep.startsWith('@biomejs/') || !PLATFORM[short]) continue;
    lock.packages[key] = {
      version,
      ...PLATFORM[short],
      dev: Boolean(pkg.dev),
      license: 'MIT OR Apache-2.0',
      optional: true,
      engines: { node: '>=14.21.3' },
    };
    added += 1;
    process.stderr.write(`added ${key} (optional of ${name || 'root'})\n`);
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stderr.write(`${added} lock entries added\n`);
