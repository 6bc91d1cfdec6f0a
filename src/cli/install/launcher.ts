/**
 * How a client starts this server: `npx -y nanobanana-studio` when the package can be fetched from the
 * registry npm is set up to use (checked with `npm view`), and otherwise this very installation, by the
 * absolute path of the Node.js running now and of this CLI (what works from a clone or a tarball before
 * the package is published, and on a machine whose default `node` is too old).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'nanobanana-studio';

export interface Launcher {
  command: string;
  args: string[];
  /** Why this one, in a few words for the person. */
  reason: string;
  kind: 'npx' | 'local' | 'custom';
}

/** This installation's CLI, run by this Node.js. */
export function localLauncher(reason: string): Launcher {
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  if (!existsSync(main)) throw new Error(`there is no built CLI at ${main} (run npm run build).`);
  return { command: process.execPath, args: [main], reason, kind: 'local' };
}

export function npxLauncher(reason: string): Launcher {
  return { command: 'npx', args: ['-y', PACKAGE_NAME], reason, kind: 'npx' };
}

/** npx when the registry has the package, else this installation; `npm view` decides (10 s at most). */
export async function chooseLauncher(env: NodeJS.ProcessEnv): Promise<Launcher> {
  const published = await registryVersion(env);
  if (published.version !== undefined) {
    return npxLauncher(`${PACKAGE_NAME} ${published.version} is on the package registry`);
  }
  return localLauncher(
    `${PACKAGE_NAME} is not on the package registry (${published.problem}), so the entry runs this installation; keep it where it is, or pass --npx once it is published`,
  );
}

async function registryVersion(env: NodeJS.ProcessEnv): Promise<{ version?: string; problem: string }> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    const child = spawn(
      'npm',
      ['view', PACKAGE_NAME, 'version', '--json', '--fetch-retries=0', '--fetch-timeout=8000', '--no-update-notifier'],
      { env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ problem: `npm could not run: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) return resolve({ problem: 'npm view did not answer within 10 s' });
      let version: unknown;
      try {
        version = JSON.parse(out);
      } catch {
        version = undefined;
      }
      if (code === 0 && typeof version === 'string' && version !== '') return resolve({ version, problem: '' });
      const code404 = /E404|404 Not Found/.test(`${err}${out}`);
      const first = `${err}`.split('\n').find((l) => /npm error (code|\d{3})/.test(l));
      resolve({
        problem: code404
          ? 'npm view: 404 Not Found'
          : (first?.replace(/^npm error /, 'npm view: ') ?? 'npm view failed'),
      });
    });
  });
}
