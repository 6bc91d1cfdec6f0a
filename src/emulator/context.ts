/**
 * The state shared by the routes of one emulator instance, and the per-request view the server hands them.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from './clock.js';
import type { DirectiveTracker } from './directives.js';
import type { FaultQueue } from './faults.js';
import type { FileStore } from './fileStore.js';
import type { AnyModel } from './models.js';
import type { QuotaMeter } from './quota.js';
import type { ImageRenderer } from './render.js';
import type { EmulatorStats, RecordedRequest } from './types.js';

export interface EmulatorContext {
  clock: Clock;
  files: FileStore;
  faults: FaultQueue;
  quota: QuotaMeter;
  directives: DirectiveTracker;
  renderer: ImageRenderer;
  stats: EmulatorStats;
  requests: RecordedRequest[];
  /** Models beyond the built-in table (EmulatorOptions.extraModels), by id. */
  extraModels: ReadonlyMap<string, AnyModel>;
  log: (line: string) => void;
  /** Resets everything `reset()` covers. */
  reset: () => void;
}

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  raw: Buffer;
  /** Parses the body as JSON; throws the Google 400 for invalid JSON. Empty body → undefined. */
  json: () => unknown;
  /** Aborts when the client disconnects or the emulator closes. */
  signal: AbortSignal;
  /** The emulator's own origin (`http://127.0.0.1:PORT`), for URLs it hands out. */
  origin: string;
}

export function header(rq: RouteRequest, name: string): string | undefined {
  const value = rq.req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
