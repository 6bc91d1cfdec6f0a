/**
 * A small JSON-with-comments reader that remembers where every value is in the text, and edits that
 * splice one value in or out and leave the rest of the file (comments, formatting, key order) as it was.
 * Used by `install` to merge a server entry into a client's configuration file.
 * @module
 */

export interface JsonNode {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  /** Offsets in the text, end exclusive. */
  start: number;
  end: number;
  value: unknown;
  members?: JsonMember[];
  items?: JsonNode[];
  /** Offset of a trailing comma after the last member or item, when there is one. */
  trailingComma?: number;
}

export interface JsonMember {
  key: string;
  keyStart: number;
  value: JsonNode;
}

export interface ParsedJsonc {
  /** `undefined` for an empty (or whitespace-only) text. */
  root: JsonNode | undefined;
  /** True when the text is plain JSON: no comments and no trailing commas. */
  strict: boolean;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

/** The file's shape does not allow the edit (e.g. `mcpServers` is a list); the message names the key. */
export class JsonShapeError extends Error {
  override readonly name = 'JsonShapeError';
}

export function parseJsonc(text: string): ParsedJsonc {
  const parser = new Parser(text);
  parser.skipWhitespaceAndComments();
  if (parser.pos >= text.length) return { root: undefined, strict: !parser.lax };
  const root = parser.value();
  parser.skipWhitespaceAndComments();
  if (parser.pos < text.length) parser.fail('unexpected text after the end of the document');
  return { root, strict: !parser.lax };
}

class Parser {
  pos = 0;
  lax = false;

  constructor(readonly text: string) {}

  fail(reason: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + 1;
    throw new JsonSyntaxError(reason, line, column);
  }

  skipWhitespaceAndComments(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') {
        this.pos++;
      } else if (c === '/' && t[this.pos + 1] === '/') {
        this.lax = true;
        const end = t.indexOf('\n', this.pos);
        this.pos = end === -1 ? t.length : end;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        this.lax = true;
        const end = t.indexOf('*/', this.pos + 2);
        if (end === -1) this.fail('unterminated /* comment');
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  value(): JsonNode {
    this.skipWhitespaceAndComments();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        const start = this.pos;
        this.pos += word.length;
        return { type: value === null ? 'null' : 'boolean', start, end: this.pos, value };
      }
    }
    this.fail(c === undefined ? 'unexpected end of the file' : `unexpected ${JSON.stringify(c)}`);
  }

  private object(): JsonNode {
    const start = this.pos++;
    const members: JsonMember[] = [];
    const value: Record<string, unknown> = {};
    let trailingComma: number | undefined;
    this.skipWhitespaceAndComments();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { type: 'object', start, end: this.pos, value, members };
    }
    for (;;) {
      this.skipWhitespaceAndComments();
      if (this.text[this.pos] !== '"') this.fail('expected a property name in double quotes');
      const keyStart = this.pos;
      const key = this.string().value as string;
      this.skipWhitespaceAndComments();
      if (this.text[this.pos] !== ':') this.fail(`expected ":" after the property name ${JSON.stringify(key)}`);
      this.pos++;
      const node = this.value();
      members.push({ key, keyStart, value: node });
      // defineProperty, not assignment: a key named "__proto__" stays an ordinary property, as in JSON.parse.
      Object.defineProperty(value, key, { value: node.value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespaceAndComments();
      const c = this.text[this.pos];
      if (c === ',') {
        const comma = this.pos++;
        this.skipWhitespaceAndComments();
        if (this.text[this.pos] === '}') {
          trailingComma = comma;
          this.lax = true;
          this.pos++;
          break;
        }
        continue;
      }
      if (c === '}') {
        this.pos++;
        break;
      }
      this.fail('expected "," or "}"');
    }
    return {
      type: 'object',
      start,
      end: this.pos,
      value,
      members,
      ...(trailingComma === undefined ? {} : { trailingComma }),
    };
  }

  private array(): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    let trailingComma: number | undefined;
    this.skipWhitespaceAndComments();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { type: 'array', start, end: this.pos, value: [], items };
    }
    for (;;) {
      items.push(this.value());
      this.skipWhitespaceAndComments();
      const c = this.text[this.pos];
      if (c === ',') {
        const comma = this.pos++;
        this.skipWhitespaceAndComments();
        if (this.text[this.pos] === ']') {
          trailingComma = comma;
          this.lax = true;
          this.pos++;
          break;
        }
        continue;
      }
      if (c === ']') {
        this.pos++;
        break;
      }
      this.fail('expected "," or "]"');
    }
    return {
      type: 'array',
      start,
      end: this.pos,
      value: items.map((i) => i.value),
      items,
      ...(trailingComma === undefined ? {} : { trailingComma }),
    };
  }

  private string(): JsonNode {
    const start = this.pos;
    const t = this.text;
    let i = start + 1;
    for (;;) {
      if (i >= t.length) this.fail('unterminated string', start);
      const code = t.charCodeAt(i);
      if (code === 0x22) break;
      if (code < 0x20) this.fail('line break or control character inside a string', i);
      i += code === 0x5c ? 2 : 1;
    }
    this.pos = i + 1;
    let value: string;
    try {
      value = JSON.parse(t.slice(start, this.pos)) as string;
    } catch {
      this.fail('invalid escape sequence in a string', start);
    }
    return { type: 'string', start, end: this.pos, value };
  }

  private number(): JsonNode {
    const start = this.pos;
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = start;
    const m = match.exec(this.text);
    if (!m) this.fail('invalid number');
    this.pos = start + m[0].length;
    return { type: 'number', start, end: this.pos, value: Number(m[0]) };
  }
}

export interface EditStyle {
  /** One level of indentation, e.g. two spaces. */
  unit: string;
  /** `\n` or `\r\n`, as the file uses. */
  eol: string;
}

/** The indentation and line ending a file uses (two spaces and `\n` when it does not tell). */
export function styleOf(text: string): EditStyle {
  const indented = /\n([ \t]+)\S/.exec(text);
  return { unit: indented?.[1] ?? '  ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function lineIndent(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, pos))?.[0] ?? '';
}

function render(value: unknown, indent: string, style: EditStyle): string {
  return JSON.stringify(value, null, style.unit).replace(/\n/g, `${style.eol}${indent}`);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function findMember(node: JsonNode, key: string): JsonMember | undefined {
  // The last one wins, as in JSON.parse.
  return node.members?.findLast((m) => m.key === key);
}

function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/** The node at `path`, or `undefined` when a key is missing. Throws JsonShapeError when a parent is not an object. */
export function nodeAt(root: JsonNode, path: readonly string[]): JsonNode | undefined {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    if (node.type !== 'object') throw notAnObject(path.slice(0, i));
    const member = findMember(node, path[i] as string);
    if (member === undefined) return undefined;
    node = member.value;
  }
  return node;
}

function notAnObject(path: readonly string[]): JsonShapeError {
  return new JsonShapeError(
    path.length === 0 ? 'the top level is not a JSON object' : `"${path.join('.')}" is not a JSON object`,
  );
}

/** Sets the value at `path` (creating the objects on the way), changing nothing else in the text. */
export function setAt(text: string, root: JsonNode, path: readonly string[], value: unknown, style: EditStyle): string {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    if (node.type !== 'object') throw notAnObject(path.slice(0, i));
    const key = path[i] as string;
    const member = findMember(node, key);
    if (member === undefined) return insertMember(text, node, key, nest(path.slice(i + 1), value), style);
    if (i === path.length - 1) {
      return splice(
        text,
        member.value.start,
        member.value.end,
        render(value, lineIndent(text, member.keyStart), style),
      );
    }
    node = member.value;
  }
  return splice(text, root.start, root.end, render(value, '', style));
}

function insertMember(text: string, obj: JsonNode, key: string, value: unknown, style: EditStyle): string {
  const members = obj.members ?? [];
  const last = members.at(-1);
  if (last === undefined) {
    const parentIndent = lineIndent(text, obj.start);
    const childIndent = parentIndent + style.unit;
    const entry = `${JSON.stringify(key)}: ${render(value, childIndent, style)}`;
    const inner = text.slice(obj.start + 1, obj.end - 1);
    if (inner.trim() === '') {
      return splice(text, obj.start + 1, obj.end - 1, `${style.eol}${childIndent}${entry}${style.eol}${parentIndent}`);
    }
    return splice(text, obj.start + 1, obj.start + 1, `${style.eol}${childIndent}${entry}`);
  }
  const indent = lineIndent(text, last.keyStart);
  const entry = `${JSON.stringify(key)}: ${render(value, indent, style)}`;
  if (obj.trailingComma !== undefined) {
    return splice(text, obj.trailingComma + 1, obj.trailingComma + 1, `${style.eol}${indent}${entry},`);
  }
  return splice(text, last.value.end, last.value.end, `,${style.eol}${indent}${entry}`);
}

/** Appends `item` to the array at `path` (creating it when missing), changing nothing else in the text. */
export function appendAt(
  text: string,
  root: JsonNode,
  path: readonly string[],
  item: unknown,
  style: EditStyle,
): string {
  const node = nodeAt(root, path);
  if (node === undefined) return setAt(text, root, path, [item], style);
  if (node.type !== 'array') throw new JsonShapeError(`"${path.join('.')}" is not a list`);
  const last = node.items?.at(-1);
  if (last === undefined) {
    const parentIndent = lineIndent(text, node.start);
    const childIndent = parentIndent + style.unit;
    const inner = text.slice(node.start + 1, node.end - 1);
    const rendered = render(item, childIndent, style);
    if (inner.trim() === '') {
      return splice(
        text,
        node.start + 1,
        node.end - 1,
        `${style.eol}${childIndent}${rendered}${style.eol}${parentIndent}`,
      );
    }
    return splice(text, node.start + 1, node.start + 1, `${style.eol}${childIndent}${rendered}`);
  }
  const indent = lineIndent(text, last.start);
  const rendered = render(item, indent, style);
  if (node.trailingComma !== undefined) {
    return splice(text, node.trailingComma + 1, node.trailingComma + 1, `${style.eol}${indent}${rendered},`);
  }
  return splice(text, last.end, last.end, `,${style.eol}${indent}${rendered}`);
}
