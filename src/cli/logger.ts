import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { currentRequestId } from '../core/requestContext.js';

/**
 * Logs go to stderr: on stdio, stdout belongs to the protocol. Every line written while serving a request
 * (an HTTP request, a tool call, a pipeline run) carries its `reqId`, the reference people are shown.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { name: 'nanobanana-studio' },
      mixin() {
        const reqId = currentRequestId();
        return reqId ? { reqId } : {};
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
