/**
 * Public types of the Gemini emulator. Kept in their own module so routes and helpers can share them without
 * importing the server (which would create import cycles).
 * @module
 */
import type { QuotaArrival, QuotaSetting } from './quota.js';

export interface EmulatorOptions {
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** TCP port; default 0 (a free port chosen by the OS). */
  port?: number;
  /** When set, only this key is valid; otherwise any non-empty key not starting with `invalid` is accepted. */
  apiKey?: string;
  /** Latency added to every generateContent / streamGenerateContent call (default 0). */
  latencyMs?: number;
  /** Clock for Files API expiry and model shutdowns; `clock.advance()` offsets it. Default: wall clock. */
  now?: () => number;
  /**
   * Start the clock at this date (ISO string or ms) and let it run from there: e.g. `'2026-10-20'` to talk to
   * the emulator as it was before `gemini-3.1-flash-image` was shut down. Ignored when `now` is given.
   */
  startAt?: string | number;
  /**
   * Models Google released after this emulator's table was written: each a copy of a known model (`like`) under
   * a new id. Lets tests show that the product passes an id it does not know through.
   */
  extraModels?: Array<{ id: string; like: string; displayName?: string }>;
  /** Receives one line per notable event. The emulator never writes to stdout itself. */
  log?: (line: string) => void;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined for binary (upload chunks) and empty bodies. */
  body: unknown;
  at: number;
}

export type FaultKind =
  | 'latency'
  | '429'
  | '500'
  | '503'
  | '503-html'
  | '503-overloaded'
  | '504'
  | 'hang'
  | 'drop'
  | 'malformed'
  | 'block'
  | 'refuse'
  | 'text-only'
  | 'stream-error'
  | 'bad-key';

export interface Fault {
  kind: FaultKind;
  latencyMs?: number;
  /** Protobuf Duration string for the 429 RetryInfo detail, e.g. `1.5s`. */
  retryDelay?: string;
  /** Adds a `Retry-After` header to a 429. */
  retryAfterSeconds?: number;
  /** blockReason (block) or finishReason (refuse); defaults PROHIBITED_CONTENT / IMAGE_SAFETY. */
  reason?: string;
}

export interface FaultMatch {
  model?: string;
  promptIncludes?: string;
}

export interface EmulatorStats {
  generateCalls: number;
  imagesReturned: number;
  renderMsTotal: number;
  /** Time spent inside the emulator handling generate calls, excluding injected latency. */
  serverMsTotal: number;
  /** Generate calls being handled now, and the most handled at once since the last reset. */
  inFlight: number;
  maxInFlight: number;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: the SDK `baseUrl` / `GEMINI_BASE_URL`. */
  url: string;
  port: number;
  /** Every API request received, in order (control requests under `/_emulator/` are not recorded). */
  requests: RecordedRequest[];
  faults: {
    enqueue(fault: Fault, options?: { times?: number; match?: FaultMatch }): void;
    setGlobal(fault: Partial<{ latencyMs: number }> | null): void;
    clear(): void;
  };
  /**
   * A per-key request quota on generateContent (off by default): over it, 429 with RetryInfo, as Google.
   * `arrivals()` lists every generate request the quota saw, admitted or not.
   */
  quota: { set(setting: QuotaSetting | null): void; arrivals(): QuotaArrival[] };
  clock: { now(): number; advance(ms: number): void };
  /** Files API knobs: the next N uploads end in state FAILED; the project's storage quota (default 20 GB). */
  files: { failNext(count?: number): void; setQuotaBytes(bytes: number): void; usedBytes(): number };
  stats(): EmulatorStats;
  reset(): void;
  close(): Promise<void>;
}
