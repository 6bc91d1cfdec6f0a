import { type ErrorPresentation, isInternalError, presentError } from '../core/errorPresentation.js';
import { AppError, InternalError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ToolErrorPresenter } from '../mcp/registerTools.js';

/**
 * Known errors show their own (caller-facing) message; anything else is logged with its detail and
 * summarised, masked on public binds (see core/errorPresentation). Both carry the request's reference.
 */
export function createToolErrorPresenter(
  log: Logger,
  presentation: ErrorPresentation = { masked: false },
): ToolErrorPresenter {
  return {
    message: (error) => presentError(error, presentation),
    isInternal: isInternalError,
    report(error, tool) {
      if (error instanceof InternalError) {
        log.error({ tool, err: error.cause ?? error, detail: error.detail }, 'tool call failed unexpectedly');
      } else if (error instanceof AppError) {
        log.warn({ tool, code: error.code, err: error.internalMessage ?? error.message }, 'tool call failed');
      } else {
        log.error({ tool, err: error }, 'tool call failed unexpectedly');
      }
    },
  };
}
