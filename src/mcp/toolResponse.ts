/**
 * The response builder every tool writes into. `serialize()` renders one consistent layout and enforces,
 * in one place, the rules that keep results usable by every client: the whole result under a byte budget
 * (Claude Desktop rejects results over 1 MB) and no `structuredContent` next to images (Claude Code drops
 * the images when it is present). Data for an MCP Apps view goes in the result's `_meta` instead, which
 * hosts pass to the view and keep out of the model's context.
 * @module
 */
import type { CallToolResult } from '@modelcontextprotocol/server';

type Block =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string }
  | { type: 'resource_link'; uri: string; name: string; mimeType?: string; description?: string };

export class ToolResponse {
  private readonly _blocks: Block[] = [];
  private _isError = false;
  private _structured: Record<string, unknown> | undefined;
  private _meta: Record<string, unknown> | undefined;

  addText(text: string): this {
    this._blocks.push({ type: 'text', text });
    return this;
  }

  addImage(data: Buffer, mimeType: string): this {
    this._blocks.push({ type: 'image', data: data.toString('base64'), mimeType });
    return this;
  }

  addResourceLink(link: { uri: string; name: string; mimeType?: string; description?: string }): this {
    this._blocks.push({ type: 'resource_link', ...link });
    return this;
  }

  addError(message: string): this {
    this._isError = true;
    this._blocks.push({ type: 'text', text: message });
    return this;
  }

  /** Structured result, for tools that declare an `outputSchema`. Dropped when the call fails. */
  setStructured(value: Record<string, unknown>): this {
    this._structured = value;
    return this;
  }

  /** A machine-readable part of the result under `key` in its `_meta` (namespaced, `vendor/name`). Dropped when the call fails. */
  setMeta(key: string, value: unknown): this {
    this._meta = { ...this._meta, [key]: value };
    return this;
  }

  get isError(): boolean {
    return this._isError;
  }

  /** Bytes the non-image blocks and `_meta` take in the serialized result (used to size previews). */
  textBytes(): number {
    const blocks = this._blocks.filter((b) => b.type !== 'image');
    return blocks.reduce((sum, b) => sum + JSON.stringify(b).length, 0) + jsonLength(this._meta);
  }

  serialize(options: { maxBytes: number }): CallToolResult {
    const blocks = [...this._blocks];
    const extra = jsonLength(this._structured) + jsonLength(this._meta);
    let size = JSON.stringify(blocks).length + extra;
    let dropped = 0;
    // Last resort: previews are already sized to fit, so this only fires on unexpected overhead.
    while (size > options.maxBytes) {
      const index = blocks.findLastIndex((b) => b.type === 'image');
      if (index < 0) break;
      blocks.splice(index, 1);
      dropped += 1;
      size = JSON.stringify(blocks).length + extra;
    }
    if (dropped > 0) {
      blocks.push({
        type: 'text',
        text: `${dropped} inline preview(s) were left out to keep this result under ${options.maxBytes} bytes; open the links above for the images.`,
      });
    }
    if (this._isError) return { content: blocks, isError: true };
    return {
      content: blocks,
      ...(this._structured ? { structuredContent: this._structured } : {}),
      ...(this._meta ? { _meta: this._meta } : {}),
    };
  }
}

function jsonLength(value: object | undefined): number {
  return value ? JSON.stringify(value).length : 0;
}
