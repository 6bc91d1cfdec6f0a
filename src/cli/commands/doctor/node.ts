/**
 * Doctor: is this Node.js new enough (the same minimum as the start-up guard and `engines`).
 * @module
 */
import { MIN_NODE, nodeIsSupported, RECOMMENDED_NODE } from '../../nodeVersion.js';
import type { Check } from './check.js';

export function checkNode(version: string): Check {
  const [major = 0] = version.split('.').map(Number);
  const base = { id: 'node', name: 'Node.js' };
  if (!nodeIsSupported(version)) {
    return {
      ...base,
      status: 'fail',
      detail: `v${version} is too old (needs ${MIN_NODE.join('.')} or later)`,
      fix: `Install Node.js ${RECOMMENDED_NODE} LTS from https://nodejs.org (or \`nvm install ${RECOMMENDED_NODE}\`), then run this again.`,
    };
  }
  if (major < RECOMMENDED_NODE) {
    return {
      ...base,
      status: 'warn',
      detail: `v${version} works; Node.js 24 LTS is recommended`,
      fix: 'Install Node.js 24 LTS when convenient (https://nodejs.org).',
    };
  }
  return { ...base, status: 'ok', detail: `v${version}` };
}
