/**
 * A package registry on loopback that knows one package, or none, for `npm view` as `install` runs it
 * (npm_config_registry points npm at it). Nothing leaves the machine.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface FakeRegistry {
  url: string;
  /** Environment for a process whose npm should ask this registry (and keep its cache out of HOME). */
  env: Record<string, string>;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeRegistry(
  published: { name: string; version: string } | undefined,
): Promise<FakeRegistry> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0] ?? '');
    if (published === undefined || name !== published.name) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Not found' }));
      return;
    }
    const { version } = published;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        name,
        'dist-tags': { latest: version },
        versions: { [version]: { name, version, dist: { tarball: `http://127.0.0.1/${name}-${version}.tgz` } } },
        time: { created: '2026-01-01T00:00:00.000Z', [version]: '2026-01-01T00:00:00.000Z' },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const cache = mkdtempSync(path.join(os.tmpdir(), 'nbs-npm-cache-'));
  return {
    url,
    requests,
    env: { npm_config_registry: url, npm_config_cache: cache, npm_config_update_notifier: 'false' },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
