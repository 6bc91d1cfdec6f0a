/**
 * Prometheus metrics (prom-client) for core/telemetry's names: counters, histograms, gauges read at
 * scrape time, and the process metrics (CPU, memory, event loop, handles). One registry per server, all
 * names prefixed `nanobanana_`.
 * @module
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  COUNTERS,
  type CounterName,
  GAUGES,
  type GaugeName,
  HISTOGRAMS,
  type HistogramName,
  type Labels,
} from '../core/telemetry.js';

export const METRIC_PREFIX = 'nanobanana_';

export interface Metrics {
  registry: Registry;
  count(name: CounterName, labels?: Labels, by?: number): void;
  observe(name: HistogramName, labels: Labels, value: number): void;
  sample(name: GaugeName, read: () => number | Promise<number>): void;
  /** The exposition text and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const counters = new Map<string, Counter<string>>();
  for (const [name, spec] of Object.entries(COUNTERS)) {
    counters.set(
      name,
      new Counter({ name: METRIC_PREFIX + name, help: spec.help, labelNames: [...spec.labels], registers: [registry] }),
    );
  }
  const histograms = new Map<string, Histogram<string>>();
  for (const [name, spec] of Object.entries(HISTOGRAMS)) {
    histograms.set(
      name,
      new Histogram({
        name: METRIC_PREFIX + name,
        help: spec.help,
        labelNames: [...spec.labels],
        buckets: [...spec.buckets],
        registers: [registry],
      }),
    );
  }
  // Each gauge sums what its sources read at scrape time (a source failing reads as nothing).
  const sources = new Map<string, Array<() => number | Promise<number>>>();
  for (const [name, spec] of Object.entries(GAUGES)) {
    const reads: Array<() => number | Promise<number>> = [];
    sources.set(name, reads);
    new Gauge({
      name: METRIC_PREFIX + name,
      help: spec.help,
      registers: [registry],
      async collect() {
        if (reads.length === 0) return;
        const values = await Promise.all(
          reads.map((read) =>
            Promise.resolve()
              .then(read)
              .catch(() => 0),
          ),
        );
        this.set(values.reduce((a, b) => a + b, 0));
      },
    });
  }
  return {
    registry,
    count(name, labels = {}, by = 1) {
      counters.get(name)?.inc(stringLabels(labels), by);
    },
    observe(name, labels, value) {
      histograms.get(name)?.observe(stringLabels(labels), value);
    },
    sample(name, read) {
      sources.get(name)?.push(read);
    },
    async scrape() {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}

function stringLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[k] = String(v);
  return out;
}
