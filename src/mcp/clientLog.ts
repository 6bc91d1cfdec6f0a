/**
 * The MCP logging capability: `logging/setLevel` honoured, and `notifications/message` for what a person
 * wants to see during a call (a retry after a 429, a model fallback, a converted reference).
 *
 * Over stateless HTTP every request gets a fresh McpServer, so the SDK's own per-server level would be
 * forgotten before the next call. The level is kept here instead, under a key the factory chooses (the
 * access token over HTTP, the connection over stdio), in this process. Under the 2026-07-28 revision the
 * level travels with each request, and the SDK's `ctx.mcpReq.log` applies it.
 * @module
 */
import type { McpServer, ServerContext } from '@modelcontextprotocol/server';

export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const MAX_REMEMBERED = 10_000;

/** The levels clients asked for, by key (oldest forgotten first beyond 10,000). */
export class LogLevelMemory {
  private readonly levels = new Map<string, LogLevel>();
  get(key: string): LogLevel | undefined {
    return this.levels.get(key);
  }
  set(key: string, level: LogLevel): void {
    this.levels.delete(key);
    this.levels.set(key, level);
    if (this.levels.size > MAX_REMEMBERED) this.levels.delete(this.levels.keys().next().value as string);
  }
}

/** Replaces the SDK's setLevel handler (call after the server is built with the logging capability). */
export function honourSetLevel(server: McpServer, memory: LogLevelMemory, key: string): void {
  server.server.setRequestHandler('logging/setLevel', async (request) => {
    memory.set(key, request.params.level as LogLevel);
    return {};
  });
}

export type ClientLog = (level: LogLevel, message: string) => void;

/** Sends `notifications/message` for this request, at or above the level the client set (all when it set none). */
export function clientLog(
  serverCtx: ServerContext,
  options: { memory: LogLevelMemory; key: string; era: 'legacy' | 'modern'; logger: string },
  onSendError: (error: unknown) => void,
): ClientLog {
  return (level, message) => {
    if (options.era === 'modern') {
      serverCtx.mcpReq.log(level, message, options.logger).catch(onSendError);
      return;
    }
    const threshold = options.memory.get(options.key);
    if (threshold && LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(threshold)) return;
    serverCtx.mcpReq
      .notify({ method: 'notifications/message', params: { level, logger: options.logger, data: message } })
      .catch(onSendError);
  };
}
