import { createRequire } from 'node:module';

/** The package version, read from package.json (dist/cli → package root). */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}
