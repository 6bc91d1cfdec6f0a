/**
 * stdout for the MCP stdio transport, written in Buffers, with long base64 strings spliced in as bytes
 * (issue 14).
 *
 * - The transport writes each message as a string; a pipe takes a large one (a result with its inline
 *   preview, ~0.5 MB) in pieces, and Node encodes the strings still queued again on each write, so sending
 *   200 results at once cost seconds of the event loop. Encoded once here, the same bytes leave for a fifth
 *   of the CPU (measured: 200 messages of 420 KB to a pipe, 0.8-0.95 s against 0.16-0.17 s after queueing).
 * - The SDK serialises a message with `JSON.stringify`, which scans a 400 KB base64 preview for characters
 *   to escape (1.2 ms), and the text is then encoded to UTF-8 (0.3-0.7 ms): most of what a result with a
 *   picture costs the event loop. A string JSON writes as it is (ASCII, no quote, backslash or control
 *   character: base64 always) is replaced by a short placeholder before the SDK serialises the message, and
 *   its bytes are put back in place of the placeholder when the text is written (0.2 ms). The bytes on the
 *   wire are exactly `JSON.stringify(message) + "\n"`; tests/stdioSplice.spec.ts compares them.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Shorter strings are serialised as usual: splicing them saves nothing measurable. */
const SPLICE_MIN_CHARS = 16_384;
/** Deep enough for `result.content[i].data` and `result.contents[i].blob`, with room. */
const MAX_DEPTH = 8;
const CONTROL_CHARACTERS = Array.from({ length: 0x20 }, (_, c) => String.fromCharCode(c));

/** True when JSON.stringify writes `s` between its quotes unchanged: ASCII, no `"`, `\` or control character. */
export function writesAsIs(s: string): boolean {
  // Equal only when every character is below 0x80 (each is one byte of UTF-8); computed natively.
  if (Buffer.byteLength(s, 'utf8') !== s.length) return false;
  if (s.includes('"') || s.includes('\\')) return false;
  return !CONTROL_CHARACTERS.some((c) => s.includes(c));
}

/** Messages whose long strings wait, in a placeholder, for their bytes to be written. */
class Splicer {
  private readonly _tag = `nbs.splice.${randomBytes(6).toString('hex')}.`;
  private readonly _pattern = new RegExp(`${this._tag.replaceAll('.', '\\.')}(\\d+)\\.(\\d+)~`, 'g');
  private readonly _pending = new Map<number, string[]>();
  private _next = 0;

  /**
   * Calls `send` with `message`, its long strings replaced by placeholders (copying only the objects on
   * their way). The SDK serialises and writes within `send`, synchronously; the strings are dropped as soon
   * as it returns, so a pipe that drains slowly holds their bytes once, not twice.
   */
  send<T>(message: unknown, send: (message: unknown) => T): T {
    const strings: string[] = [];
    const seq = this._next++;
    const replaced = this._replace(message, strings, seq, 0);
    if (strings.length === 0) return send(message);
    this._pending.set(seq, strings);
    try {
      return send(replaced);
    } finally {
      this._pending.delete(seq);
    }
  }

  /** The text as bytes, each placeholder replaced by its string's bytes (one buffer, written in place). */
  encode(text: string): Buffer {
    if (this._pending.size === 0 || !text.includes(this._tag)) return Buffer.from(text, 'utf8');
    const pieces: Array<[string, 'utf8' | 'latin1']> = [];
    let from = 0;
    for (const match of text.matchAll(this._pattern)) {
      const value = this._pending.get(Number(match[1]))?.[Number(match[2])];
      // Only if the SDK ever serialised outside `send`: fail loudly rather than send a placeholder.
      if (value === undefined) throw new Error('stdio: a spliced string was written after its message was sent');
      pieces.push([text.slice(from, match.index), 'utf8'], [value, 'latin1']);
      from = match.index + match[0].length;
    }
    pieces.push([text.slice(from), 'utf8']);
    const out = Buffer.allocUnsafe(pieces.reduce((n, [piece, encoding]) => n + Buffer.byteLength(piece, encoding), 0));
    let at = 0;
    for (const [piece, encoding] of pieces) at += out.write(piece, at, encoding);
    return out;
  }

  private _replace(value: unknown, strings: string[], seq: number, depth: number): unknown {
    if (typeof value === 'string') {
      if (value.length < SPLICE_MIN_CHARS || !writesAsIs(value)) return value;
      strings.push(value);
      return `${this._tag}${seq}.${strings.length - 1}~`;
    }
    if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const next = this._replace(item, strings, seq, depth + 1);
        if (next !== item) {
          copy ??= [...value];
          copy[i] = next;
        }
      });
      return copy ?? value;
    }
    // Plain objects only: anything with a prototype (a Date, a class with toJSON) serialises its own way.
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const next = this._replace(item, strings, seq, depth + 1);
      if (next !== item) {
        copy ??= { ...(value as Record<string, unknown>) };
        copy[key] = next;
      }
    }
    return copy ?? value;
  }
}

/** `out` with every string write encoded once (and its spliced strings put back) by `encode`. */
function inBuffers(out: NodeJS.WritableStream, encode: (text: string) => Buffer): NodeJS.WritableStream {
  return new Proxy(out, {
    get(target, property) {
      if (property === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? encode(chunk) : chunk, ...rest);
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The MCP SDK's stdio transport, writing as described above. */
export async function stdioTransport(
  stdin: Readable = process.stdin,
  stdout: NodeJS.WritableStream & { getMaxListeners(): number; setMaxListeners(n: number): unknown } = process.stdout,
) {
  const { StdioServerTransport } = await import('@modelcontextprotocol/server/stdio');
  // The transport adds an 'error' and a 'drain' listener per message waiting for the pipe (removed once it
  // drains): 200 results at once are 200 of each, not a leak, but Node warned "MaxListenersExceededWarning"
  // on stderr at the eleventh. Counted, not unlimited: a real leak still warns.
  stdout.setMaxListeners(Math.max(stdout.getMaxListeners(), 10_000));
  const splicer = new Splicer();
  const transport = new StdioServerTransport(stdin, inBuffers(stdout, (text) => splicer.encode(text)) as never);
  const send = transport.send.bind(transport);
  transport.send = (message) => splicer.send(message, (m) => send(m as typeof message));
  return transport;
}
