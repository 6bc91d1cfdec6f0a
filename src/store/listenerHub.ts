/**
 * The one LISTEN connection of an instance, shared by everything that listens (pipeline signals, the
 * pg-boss queue's wake-ups). A heartbeat on that very connection finds a dead one, also one that went
 * silent without an error (a failover, a dropped NAT entry): it is replaced at once and every
 * subscriber is told, so it can re-read what it may have missed. Sending goes through the query pool.
 * @module
 */
import { withApplicationName } from './pgUrl.js';

export interface ListenerHubOptions {
  url: string;
  log: { warn(obj: object, msg: string): void; info?(obj: object, msg: string): void };
  /** How often the connection proves it is alive, and how long it may take to answer (ms). */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface ListenerHub {
  /** False while the connection is down (subscribers should poll meanwhile). */
  readonly connected: boolean;
  /** Calls `onNotification` with each payload sent on `channel`; `onReconnect` after the connection came back. */
  listen(channel: string, onNotification: (payload: string) => void, onReconnect?: () => void): Promise<Subscription>;
  /** How many times the connection was replaced (for tests and logs). */
  readonly reconnects: number;
  close(): Promise<void>;
}

interface Subscriber {
  channel: string;
  onNotification: (payload: string) => void;
  onReconnect?: () => void;
}

type PgClient = import('pg').Client;

export async function openListenerHub(options: ListenerHubOptions): Promise<ListenerHub> {
  const { default: pg } = await import('pg');
  const heartbeatMs = options.heartbeatMs ?? 1500;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 1500;
  const subscribers = new Set<Subscriber>();
  let client: PgClient | undefined;
  let closed = false;
  let attempt = 0;
  let reconnects = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let beat: ReturnType<typeof setTimeout> | undefined;

  const channels = () => new Set([...subscribers].map((s) => s.channel));

  const drop = (target: PgClient, err: unknown) => {
    if (client !== target) return;
    client = undefined;
    clearTimeout(beat);
    target.removeAllListeners();
    // A silent socket never answers the goodbye: destroy it rather than wait.
    target.on('error', () => undefined);
    (target as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    target.end().catch(() => undefined);
    if (closed) return;
    options.log.warn({ err }, 'LISTEN connection lost; replacing it (waiters poll meanwhile)');
    scheduleReconnect();
  };

  const heartbeat = (target: PgClient) => {
    beat = setTimeout(() => {
      if (client !== target) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = target.query<{ n: number }>('select count(*)::int as n from pg_listening_channels()');
      answer.catch(() => undefined);
      Promise.race([
        answer,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('LISTEN heartbeat timed out')), heartbeatTimeoutMs);
        }),
      ])
        .then((result) => {
          if ((result.rows[0]?.n ?? 0) < channels().size) throw new Error('LISTEN registration was lost');
          heartbeat(target);
        })
        .catch((err) => drop(target, err))
        .finally(() => clearTimeout(timer));
    }, heartbeatMs);
    beat.unref();
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: withApplicationName(options.url, 'listen'),
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
      connectionTimeoutMillis: 5000,
    });
    next.on('error', (err) => drop(next, err));
    next.on('end', () => drop(next, new Error('LISTEN connection ended')));
    next.on('notification', (message) => {
      if (message.payload === undefined) return;
      for (const s of subscribers) if (s.channel === message.channel) s.onNotification(message.payload);
    });
    client = next;
    try {
      await next.connect();
      for (const channel of channels()) await next.query(`listen ${quoteIdent(channel)}`);
    } catch (error) {
      if (client === next) client = undefined;
      next.removeAllListeners();
      next.on('error', () => undefined);
      await next.end().catch(() => undefined);
      throw error;
    }
    attempt = 0;
    heartbeat(next);
  };

  const scheduleReconnect = () => {
    if (closed || retry) return;
    const backoff = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
    attempt += 1;
    retry = setTimeout(() => {
      retry = undefined;
      connect()
        .then(() => {
          reconnects += 1;
          options.log.info?.({ reconnects }, 'LISTEN connection replaced');
          for (const s of subscribers) s.onReconnect?.();
        })
        .catch((err) => {
          options.log.warn({ err }, 'LISTEN reconnect failed; trying again');
          scheduleReconnect();
        });
    }, backoff);
    retry.unref();
  };

  await connect();

  return {
    get connected() {
      return client !== undefined && !closed;
    },
    get reconnects() {
      return reconnects;
    },
    async listen(channel, onNotification, onReconnect) {
      const subscriber: Subscriber = { channel, onNotification, onReconnect };
      const isNew = !channels().has(channel);
      subscribers.add(subscriber);
      // While down, the next connection listens to it; a failure here drops the connection (and retries).
      if (isNew && client) await client.query(`listen ${quoteIdent(channel)}`).catch(() => undefined);
      return {
        close: async () => {
          subscribers.delete(subscriber);
          if (!channels().has(channel) && client)
            await client.query(`unlisten ${quoteIdent(channel)}`).catch(() => undefined);
        },
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearTimeout(beat);
      subscribers.clear();
      const last = client;
      client = undefined;
      if (last) {
        last.removeAllListeners();
        last.on('error', () => undefined);
        await last.end().catch(() => undefined);
      }
    },
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
