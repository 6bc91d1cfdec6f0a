import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ToolErrorPresenter } from '../mcp/registerTools.js';

/** Known errors show their own (caller-facing) message; anything else is logged and summarised. */
export function createToolErrorPresenter(log: Logger): ToolErrorPresenter {
  return {
    message(error) {
      if (error instanceof AppError) return error.message;
      return `Internal error in the image server: ${error instanceof Error ? error.message : String(error)}. The server log has the details; try again, and report it if it persists.`;
    },
    report(error, tool) {
      if (error instanceof AppError) {
        log.warn({ tool, code: error.code, err: error.internalMessage ?? error.message }, 'tool call failed');
      } else {
        log.error({ tool, err: error }, 'tool call failed unexpectedly');
      }
    },
  };
}
