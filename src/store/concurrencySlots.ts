/**
 * An exact limit on pipelines running at once across every instance: a run holds one of N PostgreSQL
 * session advisory locks for its duration. A lock dies with its connection, so a crashed instance frees
 * its slots at once. (pg-boss's own group limit counts active jobs without a lock, so two instances
 * fetching together can overshoot it; it still keeps most waits short.)
 * @module
 */
import { withDefaultUser } from './pgUrl.js';

export interface ConcurrencySlots {
  /** Waits for a free slot (polling), or throws the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function createConcurrencySlots(options: {
  url: string;
  /** Keeps deployments in different schemas of one database apart. */
  namespace: string;
  total: number;
  /** Slots this instance may hold at once (its own concurrency): the size of its connection pool. */
  local: number;
}): Promise<ConcurrencySlots> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: withDefaultUser(options.url), max: options.local });
  const key = namespaceKey(options.namespace);
  return {
    async acquire(signal) {
      const client = await pool.connect();
      try {
        for (let round = 0; ; round += 1) {
          signal.throwIfAborted();
          const first = Math.floor(Math.random() * options.total);
          for (let i = 0; i < options.total; i += 1) {
            const slot = (first + i) % options.total;
            const { rows } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1, $2) as got', [
              key,
              slot,
            ]);
            if (rows[0]?.got) {
              return async () => {
                try {
                  await client.query('select pg_advisory_unlock($1, $2)', [key, slot]);
                } finally {
                  client.release();
                }
              };
            }
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** round, 500) * (0.5 + Math.random())));
        }
      } catch (error) {
        client.release();
        throw error;
      }
    },
    close: () => pool.end(),
  };
}

/** A 32-bit key for the namespace (advisory locks take two int4 keys). */
function namespaceKey(namespace: string): number {
  let hash = 0x811c9dc5;
  for (const char of `nanobanana-slots:${namespace}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
