/**
 * Protocol errors with the codes the spec names, installed on an McpServer before anything is registered:
 * - `resources/read` of something that is not there: -32002 with the uri under the 2025 revisions
 *   (2025-06-18 and 2025-11-25, server/resources "Error Handling"), the SDK's ResourceNotFoundError (-32602
 *   with the uri, the 2026-07-28 rule) under the modern one. Hosts show -32603 as a server fault.
 * - a pagination `cursor` this server never issued: -32602 (basic/utilities/pagination). Every list here
 *   fits in one page, so no cursor is valid.
 * @module
 */
import {
  type JSONRPCMessage,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
} from '@modelcontextprotocol/server';

const PAGINATED = new Set(['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']);

export interface ProtocolErrorOptions {
  era: 'legacy' | 'modern';
  /** Whether a thrown error means "no such thing" (or "not yours", which must not say more). */
  isNotFound: (error: unknown) => boolean;
}

type ReadCallback = (...args: unknown[]) => unknown;

export function installProtocolErrors(server: McpServer, options: ProtocolErrorOptions): void {
  const notFound = (uri: string, error: unknown): Error =>
    new ResourceNotFoundError(uri, error instanceof Error ? error.message : `Resource not found: ${uri}`);
  // The SDK sends every not-found as -32602 with `data: { uri }` (the 2026-07-28 rule, its codecs map -32002
  // too); the 2025 revisions name -32002. Under them, that exact shape goes out as -32002.
  if (options.era === 'legacy') {
    const inner = server.server;
    const connect = inner.connect.bind(inner);
    inner.connect = async (transport) => {
      const send = transport.send.bind(transport);
      transport.send = (message, sendOptions) => send(asLegacyNotFound(message), sendOptions);
      return connect(transport);
    };
  }

  const register = server.registerResource.bind(server) as (...args: unknown[]) => unknown;
  (server as unknown as { registerResource: (...args: unknown[]) => unknown }).registerResource = (
    ...args: unknown[]
  ) => {
    const last = args.length - 1;
    const read = args[last] as ReadCallback;
    args[last] = async (...readArgs: unknown[]) => {
      try {
        return await read(...readArgs);
      } catch (error) {
        if (!options.isNotFound(error)) throw error;
        throw notFound((readArgs[0] as URL).href, error);
      }
    };
    return register(...args);
  };

  // McpServer sets its list handlers in its constructor, so they are wrapped where the SDK keeps them.
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map)) throw new Error('MCP SDK internals changed: no request handler map to wrap.');
  const wrapList = (method: string) => {
    const handler = handlers.get(method) as ((request: unknown, ...rest: unknown[]) => unknown) | undefined;
    if (!handler) return;
    handlers.set(method, (request: { params?: { cursor?: unknown } }, ...rest: unknown[]) => {
      const cursor = request?.params?.cursor;
      if (cursor !== undefined)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid cursor ${JSON.stringify(cursor)}: this server lists everything in one page and never issues a cursor. Ask again without one.`,
        );
      return handler(request, ...rest);
    });
  };
  for (const method of PAGINATED) wrapList(method);
}

function asLegacyNotFound(message: JSONRPCMessage): JSONRPCMessage {
  const error = (message as { error?: { code?: number; data?: unknown } }).error;
  const data = error?.data as Record<string, unknown> | undefined;
  if (error?.code !== ProtocolErrorCode.InvalidParams || !data || typeof data.uri !== 'string') return message;
  if (Object.keys(data).length !== 1) return message;
  return { ...message, error: { ...error, code: ProtocolErrorCode.ResourceNotFound } } as JSONRPCMessage;
}
