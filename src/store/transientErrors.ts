/**
 * Which database failures pass: the connection broke or could not be made (a restart, a failover, a
 * terminated backend, too many connections), or the server gave up on a transaction that can simply be
 * run again (serialization failure, deadlock). A run that hits one is retried, not failed.
 * @module
 */

/** SQLSTATE classes and codes worth a retry: 08 connection exception, 57P0x shutdown, 53300, 40001, 40P01. */
const TRANSIENT_SQLSTATE = /^(08...|57P0[1-3]|53300|40001|40P01)$/;
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /client has encountered a connection error/i,
  /timeout exceeded when trying to connect/i,
  /client was closed and is not queryable/i,
  /connection (is )?closed/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isTransientDatabaseError(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (typeof e !== 'object') return false;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_NODE_CODES.has(code))) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}
