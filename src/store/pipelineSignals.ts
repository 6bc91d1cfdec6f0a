/**
 * Pipeline changes between instances over PostgreSQL LISTEN/NOTIFY. The pipeline repository announces
 * state changes in the statement that makes them; this module listens on the instance's one LISTEN
 * connection (see listenerHub.ts: heartbeat, replaced when dead; waiters poll meanwhile) and sends
 * cancellation requests through the query pool.
 * @module
 */
import type { PipelineSignal, PipelineSignals } from '../core/pipelines/types.js';
import type { ListenerHub } from './listenerHub.js';

export interface PipelineSignalsOptions {
  hub: ListenerHub;
  channel: string;
  /** Runs one statement on the query pool (notifications need no connection of their own). */
  query: (text: string, values: unknown[]) => Promise<unknown>;
}

export interface ClosablePipelineSignals extends PipelineSignals {
  close(): Promise<void>;
}

export async function listenForPipelineSignals(options: PipelineSignalsOptions): Promise<ClosablePipelineSignals> {
  const listeners = new Set<(signal: PipelineSignal) => void>();
  const reconnectListeners = new Set<() => void>();
  const subscription = await options.hub.listen(
    options.channel,
    (payload) => {
      let signal: PipelineSignal;
      try {
        signal = JSON.parse(payload) as PipelineSignal;
      } catch {
        return;
      }
      for (const listener of listeners) listener(signal);
    },
    () => {
      for (const listener of reconnectListeners) listener();
    },
  );

  return {
    get connected() {
      return options.hub.connected;
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
      await options.query('select pg_notify($1, $2)', [options.channel, JSON.stringify(signal)]);
    },
    async close() {
      listeners.clear();
      reconnectListeners.clear();
      await subscription.close();
    },
  };
}
