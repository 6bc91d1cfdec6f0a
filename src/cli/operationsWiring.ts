/**
 * What `serve` and stdio start for operations (issue 15): the operations settings, metrics and traces.
 * @module
 */
import { hostname } from 'node:os';
import type { FullConfig } from '../config/config.js';
import { type OperationsConfig, resolveOperationsConfig } from '../config/operations.js';
import type { Observability } from '../observability/index.js';
import { packageVersion } from './version.js';

/** For `serve`: the settings (a bad one throws a ConfigError naming it) and metrics, traces when asked. */
export async function startServeOperations(
  config: FullConfig,
): Promise<{ operations: OperationsConfig; observability: Observability }> {
  const operations = resolveOperationsConfig(config.host);
  const { startObservability } = await import('../observability/index.js');
  const observability = await startObservability({
    version: packageVersion(),
    instanceId: config.instanceName ?? `${hostname()}-${process.pid}`,
  });
  return { operations, observability };
}

/** Over stdio there is no /metrics to scrape; traces are exported when OTLP is configured (else nothing loads). */
export async function startStdioTracing(): Promise<Observability | undefined> {
  const { tracingRequested } = await import('../observability/tracingRequested.js');
  if (!tracingRequested()) return undefined;
  const { startObservability } = await import('../observability/index.js');
  return startObservability({ version: packageVersion(), instanceId: `stdio-${process.pid}` });
}
