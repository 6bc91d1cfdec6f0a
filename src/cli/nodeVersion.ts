/**
 * The Node.js versions this package runs on. The one source for the start-up guard (main.ts), `doctor`
 * and package.json's `engines` (tests/cli.spec.ts checks they agree). No imports: the guard runs before
 * anything else loads, in particular before the native modules (better-sqlite3, sharp), which crash an
 * older Node with a bare "Segmentation fault".
 * @module
 */

/** Oldest supported Node.js, as [major, minor]; package.json `engines.node` is `>=22.12`. */
export const MIN_NODE: readonly [number, number] = [22, 12];
/** The release line recommended to install. */
export const RECOMMENDED_NODE = 24;

export function nodeIsSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** What to install, in one line (the first line a person sees on an old Node). */
export function installNodeAdvice(version: string): string {
  return `nanobanana-studio needs Node.js ${MIN_NODE.join('.')} or newer, and this is Node.js v${version.replace(/^v/, '')}. Install Node.js ${RECOMMENDED_NODE} LTS from https://nodejs.org (or run \`nvm install ${RECOMMENDED_NODE}\`), then run this again.`;
}
