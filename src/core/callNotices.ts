/**
 * What a person wants to hear about while a call runs, said by the core and shown by each face in its own
 * way (MCP `notifications/message`, the command line's stderr): a retry after a rate limit or an overload, a
 * model fallback, a reference image converted to a type Gemini takes. Emit them through
 * `CallContext.onNotice` or a job's `CallOptions.onNotice`; pipelines forward them to the call that waits.
 * @module
 */

export type CallNotice =
  | { kind: 'retry'; attempt: number; delayMs: number; reason: string }
  | { kind: 'model-fallback'; from: string; to: string; reason: string }
  | { kind: 'reference-converted'; reference: string; from: string; to: string };

export type NoticeSink = (notice: CallNotice) => void;

/** The sentence and the severity (MCP/syslog level names) of a notice. */
export function describeNotice(notice: CallNotice): { level: 'info' | 'warning'; message: string } {
  switch (notice.kind) {
    case 'retry':
      return {
        level: 'warning',
        message: `The Gemini call failed (${notice.reason}); trying again in ${(notice.delayMs / 1000).toFixed(1)} s (attempt ${notice.attempt}).`,
      };
    case 'model-fallback':
      return {
        level: 'warning',
        message: `${notice.from} is not available (${notice.reason}); using ${notice.to} instead.`,
      };
    case 'reference-converted':
      return {
        level: 'info',
        message: `Reference ${notice.reference} was converted from ${notice.from} to ${notice.to}, a type Gemini accepts.`,
      };
  }
}
