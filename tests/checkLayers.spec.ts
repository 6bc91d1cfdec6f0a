/**
 * The layering check (`node scripts/checkLayers.mjs`, part of `npm run lint`) fails on an import cycle among
 * src/ files, type-only imports included, and names it; a tree without one passes. Runs the real script on
 * small trees written to a temporary folder (`--src DIR`); `npm run lint` runs it on src/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, '../scripts/checkLayers.mjs');
const trees: string[] = [];

afterEach(() => {
  for (const dir of trees.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes the files (path under src → text) and runs the check on them. */
function check(files: Record<string, string>): { code: number | null; stderr: string } {
  const src = mkdtempSync(path.join(tmpdir(), 'layers-'));
  trees.push(src);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    writeFileSync(path.join(src, name), text);
  }
  const run = spawnSync(process.execPath, [SCRIPT, '--src', src], { encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr };
}

describe('checkLayers', () => {
  it('passes a tree whose imports go one way', () => {
    const result = check({
      'core/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'core/b.ts': 'export const b = 1;\n',
      'ui/page.ts': "import { a } from '../core/a.js';\nexport const page = a;\n",
    });
    expect(result).toEqual({ code: 0, stderr: 'layers: ok, no import cycles\n' });
  });

  it('fails on a cycle of three files inside one folder, naming it', () => {
    const result = check({
      'core/a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
      'core/b.ts': "import { c } from './c.js';\nexport const b = () => c();\n",
      'core/c.ts': "import { a } from './a.js';\nexport const c = () => a;\n",
      'core/leaf.ts': 'export const leaf = 1;\n',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Import cycles (type-only imports count; move what both sides need into a leaf module):\n' +
        '  core/a.ts → core/b.ts → core/c.ts → core/a.ts\n',
    );
  });

  it('counts a type-only import, a re-export and a dynamic import as an edge of a cycle', () => {
    const result = check({
      'ui/routes.ts': "import { sub } from './sub.js';\nexport type Env = { n: number };\nexport const r = sub;\n",
      'ui/sub.ts': "import type { Env } from './routes.js';\nexport const sub = (e: Env) => e.n;\n",
      'core/x.ts': "export { y } from './y.js';\nexport const x = 1;\n",
      'core/y.ts': "export const y = () => import('./x.js');\n",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').slice(1)).toEqual([
      '  core/x.ts → core/y.ts → core/x.ts',
      '  ui/routes.ts → ui/sub.ts → ui/routes.ts',
      '',
    ]);
  });

  it('names every file of a knot larger than its shortest cycle', () => {
    const result = check({
      'core/a.ts': "import './b.js';\nimport './c.js';\nexport {};\n",
      'core/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
      'core/c.ts': "import { b } from './b.js';\nexport const c = b;\n",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('  core/a.ts → core/b.ts → core/a.ts (same knot: core/c.ts)\n');
  });

  it('reports a layering violation and a cycle together', () => {
    const result = check({
      'core/a.ts': "import { page } from '../ui/page.js';\nexport const a = page;\n",
      'ui/page.ts': "import { a } from '../core/a.js';\nexport const page = a;\n",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'core/a.ts: imports ../ui/page.js (folder "ui"), but core/ may import only: nothing',
    );
    expect(result.stderr).toContain('  core/a.ts → ui/page.ts → core/a.ts\n');
  });
});
