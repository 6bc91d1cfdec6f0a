/**
 * Installs the process's telemetry: Prometheus metrics always (cheap counters, scraped at /metrics when
 * allowed), OpenTelemetry traces only when an OTLP endpoint is set (loaded on demand).
 * @module
 */
import { installTelemetry, type Telemetry } from '../core/telemetry.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { Tracing } from './tracing.js';
import { tracingRequested } from './tracingRequested.js';

export { tracingRequested };

export interface Observability {
  metrics: Metrics;
  tracing?: Tracing;
  close(): Promise<void>;
}

export async function startObservability(options: {
  version: string;
  instanceId: string;
  env?: NodeJS.ProcessEnv;
}): Promise<Observability> {
  const metrics = createMetrics();
  const tracing = tracingRequested(options.env)
    ? (await import('./tracing.js')).startTracing({
        serviceName: 'nanobanana-studio',
        version: options.version,
        instanceId: options.instanceId,
      })
    : undefined;
  const telemetry: Telemetry = {
    count: metrics.count,
    observe: metrics.observe,
    sample: metrics.sample,
    span: tracing ? tracing.span : (_name, _attributes, fn) => fn(),
    traceparent: tracing ? tracing.traceparent : () => undefined,
  };
  installTelemetry(telemetry);
  return {
    metrics,
    ...(tracing ? { tracing } : {}),
    close: async () => {
      await tracing?.shutdown();
    },
  };
}
