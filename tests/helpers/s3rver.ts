/**
 * s3rver, an S3-compatible server, on loopback for the tests.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/**
 * s3rver in a child process: its list continuation tokens use DES, which Node 24's OpenSSL offers only
 * with the legacy provider. Prints its port, runs until killed.
 */
const S3RVER_SCRIPT = `
const S3rver = require('s3rver');
new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1],
  configureBuckets: [{ name: process.argv[2], configs: [] }] })
  .run().then((a) => process.stdout.write('PORT ' + a.port + '\\n'));
`;

export async function startS3rver(directory: string, bucket: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_SCRIPT, directory, bucket], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${out}`));
    });
  });
  return { child, port };
}
