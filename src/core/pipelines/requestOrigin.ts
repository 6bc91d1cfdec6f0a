/**
 * A pipeline remembers the request that made it (id and trace), and its run, however much later and on
 * whichever instance, happens under that request: its log lines carry the same `reqId`, its error the same
 * reference, its spans join the same trace. Its metrics are counted here too.
 * @module
 */
import { callerText } from '../errorPresentation.js';
import { type AppError, InternalError } from '../errors.js';
import type { Logger } from '../logger.js';
import { currentRequestId, runInRequest, withReference } from '../requestContext.js';
import { telemetry } from '../telemetry.js';
import type { PipelineRecord } from './types.js';

/** The current request, for a new pipeline record. */
export function requestOrigin(): { requestId: string | null; traceParent: string | null } {
  return { requestId: currentRequestId() ?? null, traceParent: telemetry().traceparent() ?? null };
}

/** Runs `fn` as the pipeline's request, inside a span for the whole run. */
export function runAsPipelineRequest<T>(record: PipelineRecord | undefined, fn: () => Promise<T>): Promise<T> {
  const span = () =>
    telemetry().span(
      `pipeline ${record?.kind ?? 'image'}`,
      { 'pipeline.id': record?.id ?? '', 'pipeline.kind': record?.kind ?? 'image' },
      fn,
      record?.traceParent ? { parent: record.traceParent } : {},
    );
  return record?.requestId ? runInRequest({ requestId: record.requestId }, span) : span();
}

/**
 * A pipeline's error text as people will see it (get_image, generate_image): with the reference of the
 * request that made it, and, for an unexpected error when errors are masked, none of its own text.
 */
export function pipelineErrorText(record: PipelineRecord, error: AppError, masked: boolean): string {
  const reference = record.requestId ?? undefined;
  if (error instanceof InternalError) {
    return masked
      ? withReference(
          'Internal error in the image server. Try again; if it persists, report this reference to the server administrator',
          reference,
        )
      : withReference(callerText(error, { masked }), reference);
  }
  return withReference(error.message, reference);
}

export function countFinished(record: PipelineRecord, state: 'completed' | 'failed' | 'cancelled'): void {
  telemetry().count('pipelines_finished_total', { kind: record.kind, state });
}

/** How long a pipeline waited for its first run. */
export function observeQueueWait(record: PipelineRecord, startedAt: string): void {
  if (record.attempts > 0) return;
  const seconds = (Date.parse(startedAt) - Date.parse(record.createdAt)) / 1000;
  if (Number.isFinite(seconds)) telemetry().observe('queue_wait_seconds', { kind: record.kind }, Math.max(0, seconds));
}

/**
 * Counts a pipeline's failed or cancelled end and returns the error text people see; the detail they are
 * not shown (masked on public binds) stays in the log, under the request's id.
 */
export function reportEnd(
  record: PipelineRecord,
  status: 'failed' | 'cancelled',
  error: AppError,
  masked: boolean,
  log: Logger,
): string {
  countFinished(record, status);
  if (error instanceof InternalError)
    log.error({ err: error.cause ?? error, detail: error.detail, pipeline: record.id }, 'pipeline failed unexpectedly');
  else if (status === 'failed' && error.internalMessage)
    log.warn({ pipeline: record.id, code: error.code, detail: error.internalMessage }, 'pipeline failed');
  return pipelineErrorText(record, error, masked);
}
