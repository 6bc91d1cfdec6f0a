/**
 * The query pool as Kysely sees it, riding out connections that PostgreSQL closed (a restart, a failover,
 * terminated backends) without failing the request that happened to get one:
 * - a connection is handed out only after the event loop has read its socket once, so a "terminating
 *   connection" message already waiting there makes it known as dead (pg marks it; it is dropped) and
 *   another is taken;
 * - a statement outside a transaction that the server refused because it was shutting the connection down
 *   (SQLSTATE 57P01-57P03: the statement did not run), or that could not be sent at all, runs once more on
 *   a fresh connection. Nothing that may have run is run twice, and nothing inside a transaction is retried.
 * @module
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';

type PgPool = import('pg').Pool;
type PgClient = import('pg').PoolClient;

export function healthyPool(pool: PgPool): PostgresPool {
  return {
    get options() {
      return pool.options;
    },
    // Kysely opens a control connection of this class to cancel a query.
    Client: (pool as unknown as { Client?: PostgresPool['Client'] }).Client,
    connect: async () => retrying(pool, await liveClient(pool)),
    end: () => pool.end(),
  };
}

async function liveClient(pool: PgPool): Promise<PgClient> {
  for (let attempt = 0; ; attempt += 1) {
    const client = await pool.connect();
    await new Promise((resolve) => setImmediate(resolve));
    if (isLive(client) || attempt >= 3) return client;
    client.release(true);
  }
}

function retrying(pool: PgPool, first: PgClient): PostgresPoolClient {
  let client = first;
  let inTransaction = false;
  const track = (sql: string) => {
    if (/^\s*(begin|start transaction)\b/i.test(sql)) inTransaction = true;
    else if (/^\s*(commit|rollback)\b/i.test(sql)) inTransaction = false;
  };
  const wrapper = {
    get processID() {
      return (client as unknown as { processID?: number }).processID;
    },
    async query(sql: unknown, parameters?: ReadonlyArray<unknown>) {
      if (typeof sql !== 'string') return (client.query as (q: unknown) => unknown)(sql);
      try {
        const result = await client.query(sql, parameters as unknown[]);
        track(sql);
        return result;
      } catch (error) {
        if (inTransaction || !didNotRun(error)) throw error;
        client.release(true);
        client = await liveClient(pool);
        const result = await client.query(sql, parameters as unknown[]);
        track(sql);
        return result;
      }
    },
    release(destroy?: boolean) {
      client.release(destroy);
    },
  };
  return wrapper as unknown as PostgresPoolClient;
}

/** pg's own flags: a client that saw its connection fail is no longer queryable. */
function isLive(client: PgClient): boolean {
  const state = client as unknown as { _queryable?: boolean; _ending?: boolean };
  return state._queryable !== false && state._ending !== true;
}

/** The server shut the connection before running the statement, or it was never sent. */
function didNotRun(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^57P0[1-3]$/.test(code)) return true;
  return typeof message === 'string' && /not queryable/i.test(message);
}
