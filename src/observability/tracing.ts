/**
 * OpenTelemetry traces, exported over OTLP/HTTP to the endpoint of the standard `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; headers from `OTEL_EXPORTER_OTLP_HEADERS`). This module is
 * imported only when one of them is set, so a server without it loads none of OpenTelemetry.
 *
 * The active span is kept in our own AsyncLocalStorage instead of a global OpenTelemetry context manager:
 * nothing else in the process is instrumented, and this way the tracer never touches global state.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { currentRequest } from '../core/requestContext.js';
import type { Labels, SpanOptions } from '../core/telemetry.js';

export interface Tracing {
  span<T>(name: string, attributes: Labels, fn: () => Promise<T>, options?: SpanOptions): Promise<T>;
  traceparent(): string | undefined;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export function startTracing(options: { serviceName: string; version: string; instanceId: string }): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME ?? options.serviceName,
      'service.version': options.version,
      'service.instance.id': options.instanceId,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer('nanobanana-studio', options.version);
  const propagator = new W3CTraceContextPropagator();
  const active = new AsyncLocalStorage<Context>();
  const getter = { get: (carrier: Record<string, string>, key: string) => carrier[key], keys: Object.keys };
  const setter = {
    set(carrier: Record<string, string>, key: string, value: string) {
      carrier[key] = value;
    },
  };
  const fromTraceparent = (traceparent: string) => propagator.extract(ROOT_CONTEXT, { traceparent }, getter);

  return {
    async span(name, attributes, fn, spanOptions) {
      const incoming = spanOptions?.parent ?? (active.getStore() ? undefined : currentRequest()?.traceparent);
      const parent = incoming ? fromTraceparent(incoming) : (active.getStore() ?? ROOT_CONTEXT);
      const span = tracer.startSpan(name, { attributes: withRequest(attributes) }, parent);
      try {
        const value = await active.run(trace.setSpan(parent, span), fn);
        span.setStatus({ code: SpanStatusCode.OK });
        return value;
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
    traceparent() {
      const context = active.getStore();
      if (!context) return undefined;
      const carrier: Record<string, string> = {};
      propagator.inject(context, carrier, setter);
      return carrier.traceparent;
    },
    shutdown: () => provider.shutdown(),
  };
}

function withRequest(attributes: Labels): Labels {
  const id = currentRequest()?.requestId;
  return id ? { ...attributes, 'request.id': id } : attributes;
}
