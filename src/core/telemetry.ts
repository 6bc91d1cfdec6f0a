/**
 * What the studio measures and traces, as data (names, help, labels) plus a process-wide hook that core,
 * gemini and store report into. It does nothing until the command line installs an implementation
 * (src/observability: prom-client metrics, OpenTelemetry spans), so a library use or a test costs nothing.
 * Labels are bounded sets (tool, model, status, route): never a person, a prompt or an id.
 * @module
 */

export type Labels = Record<string, string | number>;

export const COUNTERS = {
  tool_calls_total: {
    help: 'MCP tool calls by tool and outcome (ok, error, internal_error).',
    labels: ['tool', 'outcome'],
  },
  gemini_calls_total: {
    help: 'Gemini API attempts by operation, model, HTTP status (or timeout, network, ok) and attempt number.',
    labels: ['operation', 'model', 'status', 'attempt'],
  },
  gemini_retries_total: {
    help: 'Gemini attempts that were retried, by operation and model.',
    labels: ['operation', 'model'],
  },
  gemini_rate_limited_total: { help: 'Gemini answers with HTTP 429, by model.', labels: ['model'] },
  pipelines_finished_total: { help: 'Pipelines that ended, by kind and final state.', labels: ['kind', 'state'] },
  pipelines_submitted_total: { help: 'Pipelines created, by kind.', labels: ['kind'] },
  spend_usd_total: { help: 'Spending written to the ledger, in US dollars, by model.', labels: ['model'] },
  http_requests_total: { help: 'HTTP requests by route, method and status.', labels: ['route', 'method', 'status'] },
  maintenance_removed_total: { help: 'What maintenance removed, by kind.', labels: ['kind'] },
} as const;

export const HISTOGRAMS = {
  tool_call_duration_seconds: {
    help: 'MCP tool call latency by tool.',
    labels: ['tool'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
  },
  gemini_call_duration_seconds: {
    help: 'Gemini API attempt latency by operation and model.',
    labels: ['operation', 'model'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
  },
  queue_wait_seconds: {
    help: 'Time a pipeline waited for a worker before its first run.',
    labels: ['kind'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
  },
  http_request_duration_seconds: {
    help: 'HTTP request latency by route and method.',
    labels: ['route', 'method'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  },
} as const;

export const GAUGES = {
  concurrency_limit: { help: 'Pipelines this instance runs at once (its concurrency setting).', labels: [] },
  total_concurrency_limit: { help: 'Gemini calls all instances make at once (0: no shared limit).', labels: [] },
  pipelines_running: { help: 'Pipelines running on this instance now.', labels: [] },
  queue_depth: { help: 'Pipelines waiting for a worker (this instance, or the shared queue).', labels: [] },
} as const;

export type CounterName = keyof typeof COUNTERS;
export type HistogramName = keyof typeof HISTOGRAMS;
export type GaugeName = keyof typeof GAUGES;

export interface SpanOptions {
  /** A W3C traceparent to continue (a pipeline run resumes its tool call's trace). */
  parent?: string;
}

export interface Telemetry {
  count(name: CounterName, labels?: Labels, by?: number): void;
  observe(name: HistogramName, labels: Labels, value: number): void;
  /** A gauge read when metrics are scraped. */
  sample(name: GaugeName, read: () => number | Promise<number>): void;
  /** Runs `fn` inside a span (a trace's step); records its error and duration. */
  span<T>(name: string, attributes: Labels, fn: () => Promise<T>, options?: SpanOptions): Promise<T>;
  /** The active span as a W3C traceparent (to store with work that runs later), when tracing is on. */
  traceparent(): string | undefined;
}

const noop: Telemetry = {
  count() {},
  observe() {},
  sample() {},
  span: (_name, _attributes, fn) => fn(),
  traceparent: () => undefined,
};

let installed: Telemetry = noop;

/** The process's telemetry (a no-op unless one was installed). */
export function telemetry(): Telemetry {
  return installed;
}

/** Installs the process's telemetry (the command line does, once); returns the previous one. */
export function installTelemetry(next: Telemetry): Telemetry {
  const previous = installed;
  installed = next;
  return previous;
}

/** Seconds since `startMs` (a `performance.now()` reading). */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}
