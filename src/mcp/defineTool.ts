/**
 * Tools are data: a name, a schema, a description that tells the assistant when to use the tool, and a
 * thin handler that writes into a {@link ToolResponse}. Generic: knows nothing of images or Gemini.
 * @module
 */
import type { z } from 'zod';
import type { ToolResponse } from './toolResponse.js';

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDefinition<Ctx, Schema extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: Schema;
  /** Declares and validates `structuredContent`. Leave it off tools whose results carry images for
   * clients without structured output (Claude Code drops `content` when `structuredContent` is present). */
  outputSchema?: z.ZodObject;
  annotations: ToolAnnotations;
  /** Protocol-level metadata listed with the tool (`_meta` in tools/list), e.g. an MCP Apps `ui` entry. */
  _meta?: Record<string, unknown>;
  handle(ctx: Ctx, params: z.infer<Schema>, response: ToolResponse): Promise<void>;
}

/** Identity function that types a tool definition. */
export function defineTool<Ctx, Schema extends z.ZodObject>(
  tool: ToolDefinition<Ctx, Schema>,
): ToolDefinition<Ctx, Schema> {
  return tool;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of every schema.
export type AnyToolDefinition<Ctx> = ToolDefinition<Ctx, any>;
