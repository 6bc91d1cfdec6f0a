/**
 * Pipeline changes between instances over PostgreSQL LISTEN/NOTIFY. The pipeline repository announces
 * every change in the statement that makes it; this module listens on one dedicated connection,
 * reconnects when it drops (waiters poll meanwhile), and sends cancellation requests.
 * @module
 */
import type { PipelineSignal, PipelineSignals } from '../core/pipelines/types.js';
import { withDefaultUser } from './pgUrl.js';

export interface PipelineSignalsOptions {
  url: string;
  channel: string;
  log: { warn(obj: object, msg: string): void };
}

export interface ClosablePipelineSignals extends PipelineSignals {
  close(): Promise<void>;
}

export async function listenForPipelineSignals(options: PipelineSignalsOptions): Promise<ClosablePipelineSignals> {
  const { default: pg } = await import('pg');
  const listeners = new Set<(signal: PipelineSignal) => void>();
  const reconnectListeners = new Set<() => void>();
  // Publishing uses a small pool of its own, so a busy listener connection never delays a cancel.
  const pool = new pg.Pool({ connectionString: withDefaultUser(options.url), max: 1 });
  let client: InstanceType<typeof pg.Client> | undefined;
  let connected = false;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: withDefaultUser(options.url),
      application_name: 'nanobanana-studio-signals',
    });
    next.on('notification', (message) => {
      if (message.channel !== options.channel || !message.payload) return;
      let signal: PipelineSignal;
      try {
        signal = JSON.parse(message.payload) as PipelineSignal;
      } catch {
        return;
      }
      for (const listener of listeners) listener(signal);
    });
    next.on('error', (err) => {
      options.log.warn({ err }, 'pipeline signals: connection lost; polling until it is back');
      connected = false;
      next.end().catch(() => undefined);
      scheduleReconnect();
    });
    await next.connect();
    await next.query(`listen ${quoteIdent(options.channel)}`);
    client = next;
    connected = true;
  };
  const scheduleReconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect()
        .then(() => {
          for (const listener of reconnectListeners) listener();
        })
        .catch((err) => {
          options.log.warn({ err }, 'pipeline signals: reconnect failed; trying again');
          scheduleReconnect();
        });
    }, 1000);
    retry.unref();
  };
  await connect();

  return {
    get connected() {
      return connected;
    },
    subscribe(listener, onReconnect) {
      listeners.add(listener);
      if (onReconnect) reconnectListeners.add(onReconnect);
      return () => {
        listeners.delete(listener);
        if (onReconnect) reconnectListeners.delete(onReconnect);
      };
    },
    async publish(signal) {
      await pool.query('select pg_notify($1, $2)', [options.channel, JSON.stringify(signal)]);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      listeners.clear();
      reconnectListeners.clear();
      await Promise.allSettled([client?.end(), pool.end()]);
    },
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
