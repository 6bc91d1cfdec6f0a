/**
 * An exact limit on pipelines running at once across every instance, without a connection held per
 * run: a run leases one of N rows of a small table (the queue's schema) and the instance renews its
 * leases every third of the lease. The primary key makes a slot taken by one run only; a crashed
 * instance's slots free themselves when their lease runs out. Nothing is held on a connection between
 * statements, so a transaction-mode pooler may sit in front of the query pool.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { quoteIdent } from './listenerHub.js';

export interface ConcurrencySlots {
  /** Waits for a free slot (polling), or throws the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

type Query = <R extends object = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<{ rows: R[] }>;

export async function createConcurrencySlots(options: {
  query: Query;
  /** The schema the lease table lives in (the queue's). */
  schema: string;
  total: number;
  /** A slot whose instance stopped renewing it for this long is free again. */
  leaseSeconds: number;
  instanceId: string;
  log: { warn(obj: object, msg: string): void };
}): Promise<ConcurrencySlots> {
  const table = `${quoteIdent(options.schema)}.slot_leases`;
  // One statement (a transaction of its own), serialized between instances starting together.
  await options.query(
    `begin; select pg_advisory_xact_lock(hashtext('nanobanana-slot-leases:' || ${quoteLiteral(options.schema)}));
     create table if not exists ${table} (slot integer primary key, holder text not null, expires_at timestamptz not null);
     commit;`,
  );
  const held = new Set<string>();
  const renew = setInterval(
    () => {
      if (held.size === 0) return;
      options
        .query(`update ${table} set expires_at = now() + make_interval(secs => $2) where holder = any($1)`, [
          [...held],
          options.leaseSeconds,
        ])
        .catch((err) => options.log.warn({ err }, 'could not renew the concurrency slots held here'));
    },
    Math.max(1000, (options.leaseSeconds * 1000) / 3),
  );
  renew.unref();

  return {
    async acquire(signal) {
      const holder = `${options.instanceId}:${randomUUID()}`;
      for (let round = 0; ; round += 1) {
        signal.throwIfAborted();
        // A free (or expired) slot at random; two instances racing for one: the key lets one through.
        const { rows } = await options.query<{ slot: number }>(
          `insert into ${table} (slot, holder, expires_at)
           select s, $1, now() + make_interval(secs => $3) from generate_series(0, $2 - 1) as s
            where not exists (select 1 from ${table} t where t.slot = s and t.expires_at > now())
            order by random() limit 1
           on conflict (slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
            where ${table}.expires_at <= now()
           returning slot`,
          [holder, options.total, options.leaseSeconds],
        );
        const slot = rows[0]?.slot;
        if (slot !== undefined) {
          held.add(holder);
          return async () => {
            held.delete(holder);
            await options.query(`delete from ${table} where slot = $1 and holder = $2`, [slot, holder]);
          };
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** round, 500) * (0.5 + Math.random())));
      }
    },
    async close() {
      clearInterval(renew);
    },
  };
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
