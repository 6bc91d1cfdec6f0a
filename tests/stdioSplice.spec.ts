/**
 * The stdio transport splices long base64 strings into the bytes it writes instead of letting
 * JSON.stringify scan them (issue 14). What leaves must be exactly `JSON.stringify(message) + "\n"`, for
 * every kind of string: spliced (base64), and serialised as usual (quotes, newlines, non-ASCII, too deep).
 * The transport is the real one, the SDK's StdioServerTransport, writing to a stream we read.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stdioTransport, writesAsIs } from '../src/cli/stdioOut.js';

async function transportWritingTo() {
  const chunks: Buffer[] = [];
  const out = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        done();
      },
    }),
    { getMaxListeners: () => 10, setMaxListeners: () => undefined },
  );
  const transport = await stdioTransport(new PassThrough(), out);
  return { transport, written: () => Buffer.concat(chunks) };
}

const base64 = (bytes: number) => randomBytes(bytes).toString('base64');

describe('stdio transport: long base64 strings spliced in as bytes', () => {
  it('writes exactly what JSON.stringify writes, for spliced and ordinary strings alike', async () => {
    const { transport, written } = await transportWritingTo();
    let deep: Record<string, unknown> = { data: base64(30_000) };
    for (let i = 0; i < 10; i++) deep = { deeper: deep };
    const message = {
      jsonrpc: '2.0' as const,
      id: 7,
      result: {
        content: [
          { type: 'text', text: 'Pipeline pl_1: completed.\n"quoted" \\ back' },
          { type: 'image', data: base64(300_000), mimeType: 'image/jpeg' },
          { type: 'image', data: base64(40_000), mimeType: 'image/png' },
          // Long, but JSON escapes something in each: serialised as usual.
          { type: 'text', text: `${base64(20_000)}\n${base64(20_000)}` },
          { type: 'text', text: `${base64(20_000)}"${base64(20_000)}` },
          { type: 'text', text: `${base64(20_000)}é${base64(20_000)}` },
          { type: 'text', text: `${base64(20_000)}\u0001${base64(20_000)}` },
        ],
        structuredContent: { when: new Date(0), deep, list: [base64(20_000), 'short'] },
      },
    };
    await transport.send(message);
    const bytes = written();
    expect(bytes.equals(Buffer.from(`${JSON.stringify(message)}\n`, 'utf8'))).toBe(true);
    expect(bytes.includes('nbs.splice.')).toBe(false);
    // The message itself is left as it was (the placeholders went into a copy).
    expect(message.result.content[1]?.type).toBe('image');
    expect((message.result.content[1] as { data: string }).data.length).toBe(400_000);
  });

  it('sends small messages and several in a row unchanged', async () => {
    const { transport, written } = await transportWritingTo();
    const a = { jsonrpc: '2.0' as const, method: 'notifications/progress', params: { progress: 1, total: 2 } };
    const b = { jsonrpc: '2.0' as const, id: 1, result: { content: [{ type: 'image', data: base64(20_000) }] } };
    await transport.send(a);
    await transport.send(b);
    await transport.send(b);
    expect(written().toString('utf8')).toBe(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n${JSON.stringify(b)}\n`);
  });

  it('splices only what JSON writes as it is', () => {
    expect(writesAsIs(base64(1000))).toBe(true);
    expect(writesAsIs('abc def')).toBe(true);
    for (const s of ['a"b', 'a\\b', 'a\nb', 'a\tb', 'a\u0000b', 'a\u001fb', 'aéb', 'a\u{1F600}b', 'a\ud800b'])
      expect(writesAsIs(s), JSON.stringify(s)).toBe(false);
  });
});
