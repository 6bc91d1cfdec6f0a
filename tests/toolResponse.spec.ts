/**
 * Issue 14: a tool result is serialised once, by the transport. ToolResponse sizes it against the result
 * budget without stringifying the previews again; the sizes must still be exact.
 */
import { describe, expect, it } from 'vitest';
import { blockBytes, ToolResponse } from '../src/mcp/toolResponse.js';

const png = (bytes: number) => Buffer.alloc(bytes, 7);

describe('ToolResponse sizing', () => {
  it('measures every kind of block as JSON.stringify would', () => {
    const blocks = [
      { type: 'text' as const, text: 'quotes " and \\ and é and \n newlines' },
      { type: 'image' as const, data: png(3001).toString('base64'), mimeType: 'image/jpeg' },
      { type: 'resource_link' as const, uri: 'images://img_1', name: 'img_1.jpg', mimeType: 'image/jpeg' },
    ];
    for (const block of blocks) expect(blockBytes(block)).toBe(JSON.stringify(block).length);
  });

  it('keeps a result that fits whole, and drops the last previews of one that does not', () => {
    const build = () =>
      new ToolResponse().addText('heading').addImage(png(30_000), 'image/png').addImage(png(30_000), 'image/png');
    const whole = build().serialize({ maxBytes: 1_000_000 });
    expect(whole.content.filter((b) => b.type === 'image')).toHaveLength(2);
    const exact = JSON.stringify(whole.content).length;
    // At exactly its size it still fits; one byte less and the last preview goes, with a note saying so.
    expect(build().serialize({ maxBytes: exact }).content).toHaveLength(3);
    const cut = build().serialize({ maxBytes: exact - 1 }).content;
    expect(cut.filter((b) => b.type === 'image')).toHaveLength(1);
    expect(cut.at(-1)).toMatchObject({
      type: 'text',
      text: expect.stringContaining('1 inline preview(s) were left out'),
    });
  });
});
