/**
 * The official MCP conformance suite (`npm run conformance`, scripts/conformance.mjs) as part of the test
 * run: every scenario that applies to this server passes, and the ones listed in conformance-baseline.yml
 * (with their reasons) still fail, so a stale baseline is noticed too.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('official MCP conformance suite', () => {
  it('passes every scenario that applies (baseline: conformance-baseline.yml)', async () => {
    const script = path.resolve(import.meta.dirname, '../scripts/conformance.mjs');
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const summary = output.slice(output.indexOf('=== SUMMARY ==='));
    expect(code, summary).toBe(0);
    expect(summary).toContain('Baseline check passed');
    for (const scenario of [
      'server-initialize',
      'logging-set-level',
      'tools-call-with-logging',
      'dns-rebinding-protection',
    ])
      expect(summary, scenario).toMatch(new RegExp(`✓ ${scenario}: [1-9]`));
  }, 180_000);
});
