/**
 * Registers tool definitions on an McpServer behind the one MCP error boundary: a thrown error becomes a
 * tool result with `isError: true` and the error's message, written for the assistant. Internal failures
 * are logged with their stack and shown as a short sentence; nothing crosses the protocol raw.
 * @module
 */
import type { McpServer, RegisteredTool, ServerContext } from '@modelcontextprotocol/server';
import { compactAnnotations, withoutDialect } from './compactSchema.js';
import type { AnyToolDefinition } from './defineTool.js';
import { ToolResponse } from './toolResponse.js';

export interface ToolErrorPresenter {
  /** The text the assistant sees for this error. */
  message(error: unknown): string;
  /** Called for every failure (log it). */
  report(error: unknown, tool: string): void;
  /** True for an error the caller was not meant to see (a bug, an outage), false for a tool error. */
  isInternal?(error: unknown): boolean;
}

export interface RegisterToolsOptions<Ctx> {
  makeContext: (serverCtx: ServerContext) => Ctx | Promise<Ctx>;
  errors: ToolErrorPresenter;
  maxResultBytes: number;
  /**
   * Wraps each call (request id, span, metrics); `outcome` is `ok`, `error` (a tool error the caller can
   * act on) or `internal_error`, as the presenter classified it.
   */
  around?: (tool: string, run: () => Promise<ToolOutcome>) => Promise<ToolOutcome>;
}

export type ToolOutcome = 'ok' | 'error' | 'internal_error';

/** Returns the registered tools by name (to enable, disable or update them later). */
export function registerTools<Ctx>(
  server: McpServer,
  tools: AnyToolDefinition<Ctx>[],
  options: RegisterToolsOptions<Ctx>,
): Map<string, RegisteredTool> {
  const registered = new Map<string, RegisteredTool>();
  for (const tool of tools) {
    const handle = server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: withoutDialect(tool.inputSchema),
        ...(tool.outputSchema ? { outputSchema: withoutDialect(tool.outputSchema) } : {}),
        annotations: compactAnnotations(tool.annotations),
        ...(tool._meta ? { _meta: tool._meta } : {}),
      },
      async (params: unknown, serverCtx: ServerContext) => {
        const response = new ToolResponse();
        const call = async (): Promise<ToolOutcome> => {
          try {
            const ctx = await options.makeContext(serverCtx);
            await tool.handle(ctx, params, response);
            return response.isError ? 'error' : 'ok';
          } catch (error) {
            options.errors.report(error, tool.name);
            response.addError(options.errors.message(error));
            return options.errors.isInternal?.(error) ? 'internal_error' : 'error';
          }
        };
        await (options.around ? options.around(tool.name, call) : call());
        return response.serialize({ maxBytes: options.maxResultBytes });
      },
    );
    registered.set(tool.name, handle);
  }
  return registered;
}

/**
 * A progress callback for this request: sends `notifications/progress` when the client asked for progress
 * (a `progressToken` in `_meta`), otherwise does nothing. Progress only ever increases.
 */
export function progressReporter(
  serverCtx: ServerContext,
  onSendError: (error: unknown) => void,
): (event: { progress: number; total?: number; message?: string }) => void {
  const token = serverCtx.mcpReq._meta?.progressToken;
  if (token === undefined) return () => {};
  let last = -1;
  return (event) => {
    // Retry notices repeat the current count; nudge them up by a fraction so progress stays increasing.
    const progress = event.progress > last ? event.progress : last + 0.001;
    last = progress;
    serverCtx.mcpReq
      .notify({ method: 'notifications/progress', params: { progressToken: token, ...event, progress } })
      .catch(onSendError);
  };
}
