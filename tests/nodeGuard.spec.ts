/**
 * An old Node.js (the machine's /usr/bin/node is v20) gets one line that says what to install, before any
 * native module loads, instead of better-sqlite3 or sharp dying with a bare "Segmentation fault"; the
 * guard, `doctor` and package.json's `engines` name the same minimum.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIN_NODE, nodeIsSupported } from '../src/cli/nodeVersion.js';
import { runCli } from './helpers/runCli.js';
import { CLI } from './helpers/studio.js';

const OLD_NODE = process.env.STUDIO_TEST_OLD_NODE ?? '/usr/bin/node';
const oldVersion = existsSync(OLD_NODE) ? execFileSync(OLD_NODE, ['--version']).toString().trim() : undefined;
const haveOldNode = oldVersion !== undefined && !nodeIsSupported(oldVersion);
const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
  engines: { node: string };
};

describe('Node.js version', () => {
  it('engines, the guard and doctor name the same minimum', async () => {
    expect(pkg.engines.node).toBe(`>=${MIN_NODE.join('.')}`);
    expect(nodeIsSupported('22.11.0')).toBe(false);
    expect(nodeIsSupported('v22.12.0')).toBe(true);
    expect(nodeIsSupported('20.20.2')).toBe(false);
    expect(nodeIsSupported('24.0.0')).toBe(true);
    const doctor = await runCli(['doctor', '--json', '--emulator'], {
      env: { HOME: '/tmp', STUDIO_DATA_DIR: '/tmp/nbs-guard-never-used' },
    });
    const node = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string }> }).checks[0];
    expect(node).toMatchObject({ id: 'node', status: 'ok' });
  });

  describe.skipIf(!haveOldNode)(
    `under an old Node.js (${OLD_NODE} ${oldVersion ?? 'missing'}; skipped unless it is older than ${MIN_NODE.join('.')}, set STUDIO_TEST_OLD_NODE)`,
    () => {
      it.each([[[]], [['doctor']], [['serve', '--emulator', '--port', '0']], [['generate', 'a cat', '--emulator']]])(
        'nanobanana-studio %j says on its first line what to install, and exits 1',
        (args) => {
          const run = spawnSync(OLD_NODE, [CLI, ...args], {
            env: { PATH: '/usr/bin:/bin', HOME: '/tmp', STUDIO_DATA_DIR: '/tmp/nbs-guard-never-used' },
            encoding: 'utf8',
            input: '',
            timeout: 20_000,
          });
          expect(run.signal).toBeNull();
          expect(run.status).toBe(1);
          expect(run.stdout).toBe('');
          const first = run.stderr.split('\n')[0];
          expect(first).toContain(`needs Node.js ${MIN_NODE.join('.')} or newer`);
          expect(first).toContain(`this is Node.js ${oldVersion}`);
          expect(first).toMatch(/Install Node\.js 24 LTS from https:\/\/nodejs\.org/);
          expect(run.stderr).not.toMatch(/Segmentation|at .*\.js:\d+/);
        },
      );
    },
  );
});
