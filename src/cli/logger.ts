import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { currentRequestId } from '../core/requestContext.js';
import { prettyStderr, wantsPrettyLogs } from './prettyLog.js';

/**
 * Logs go to stderr: on stdio, stdout belongs to the protocol. JSON for collectors; lines for people when
 * stderr is a terminal (or STUDIO_LOG_FORMAT=pretty). Every line written while serving a request (an HTTP
 * request, a tool call, a pipeline run) carries its `reqId`, the reference people are shown.
 */
export function createLogger(level: string): Logger {
  const destination = wantsPrettyLogs() ? prettyStderr() : pino.destination({ fd: 2, sync: false });
  return pino(
    {
      level,
      base: { name: 'nanobanana-studio' },
      mixin() {
        const reqId = currentRequestId();
        return reqId ? { reqId } : {};
      },
    },
    destination,
  );
}
