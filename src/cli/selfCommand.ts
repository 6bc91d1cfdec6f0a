/**
 * How a person runs this CLI again from a shell, for commands printed as advice (`serve` printing the
 * `install … --url` line): `nanobanana-studio` when started through its bin (npx or an installed
 * package), otherwise this Node.js and this script by absolute path (a clone, a tarball unpacked by hand).
 * @module
 */
import path from 'node:path';

export function selfCommand(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): string {
  const script = argv[1];
  if (script !== undefined && path.basename(script) === 'nanobanana-studio') {
    return env.npm_command === 'exec' ? 'npx nanobanana-studio' : 'nanobanana-studio';
  }
  return [process.execPath, script ?? ''].map(shellQuote).join(' ');
}

export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return process.platform === 'win32' ? `"${word.replaceAll('"', '""')}"` : `'${word.replaceAll("'", "'\\''")}'`;
}
