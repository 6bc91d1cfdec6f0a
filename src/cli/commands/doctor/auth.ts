/**
 * Doctor: is a server on this host reachable by others without sign-in.
 * @module
 */
import type { Check, DoctorCheck } from './check.js';

export const authCheck: DoctorCheck = {
  name: 'Auth',
  run: ({ config }) => checkAuth(config.host),
};

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function checkAuth(host: string): Check {
  const base = { id: 'auth', name: 'Auth' };
  if (isLoopback(host)) {
    return {
      ...base,
      status: 'ok',
      detail: `not configured; fine on loopback (${host}), where only this machine can connect`,
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: `not configured, and \`serve\` would listen on ${host}: anyone who reaches it can generate images on your key`,
    fix: 'Keep the default host 127.0.0.1, or put the server behind a reverse proxy that authenticates (this version has no built-in auth).',
  };
}
