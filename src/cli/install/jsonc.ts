/**
 * JSON with comments for client configuration files, through VS Code's `jsonc-parser`: reading (comments and
 * trailing commas accepted, syntax errors with their line and column) and edits that change one value and
 * leave the rest of the file (comments, formatting, key order) as it was. Used by `install` (mergeJson.ts).
 * @module
 */
import {
  applyEdits,
  type FormattingOptions,
  findNodeAtOffset,
  format,
  modify,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';

export interface ParsedJsonc {
  /** `undefined` for an empty (or whitespace-only) text. */
  root: { value: unknown; type: Node['type']; start: number; end: number } | undefined;
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

const REASONS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the property name',
  CloseBraceExpected: 'expected "," or "}"',
  CloseBracketExpected: 'expected "," or "]"',
  EndOfFileExpected: 'unexpected text after the end of the document',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated /* comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'invalid number',
  InvalidUnicode: 'invalid escape sequence in a string',
  InvalidEscapeCharacter: 'invalid escape sequence in a string',
  InvalidCharacter: 'line break or control character inside a string',
};

export function parseJsonc(text: string): ParsedJsonc {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const first = errors[0];
  if (first !== undefined) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - (before.lastIndexOf('\n') + 1) + 1;
    const code = printParseErrorCode(first.error);
    // A missing comma is reported alike in objects and lists: say which, from the innermost one open there.
    let container = root && findNodeAtOffset(root, first.offset, true);
    while (container && container.type !== 'object' && container.type !== 'array') container = container.parent;
    const reason =
      code === 'CommaExpected'
        ? REASONS[container?.type === 'array' ? 'CloseBracketExpected' : 'CloseBraceExpected']
        : REASONS[code];
    throw new JsonSyntaxError(reason ?? code, line, column);
  }
  if (root === undefined) return { root: undefined, strict: true };
  const strictErrors: ParseError[] = [];
  parseTree(text, strictErrors, { allowTrailingComma: false, disallowComments: true });
  return {
    root: { value: jsonValueOf(root), type: root.type, start: root.offset, end: root.offset + root.length },
    strict: strictErrors.length === 0,
  };
}

/** The value of a node as JSON.parse would give it (`__proto__` stays an ordinary key; the last duplicate wins). */
function jsonValueOf(node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(jsonValueOf);
  if (node.type !== 'object') return node.value;
  const object: Record<string, unknown> = {};
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined) continue;
    Object.defineProperty(object, key.value as string, {
      value: value === undefined ? undefined : jsonValueOf(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
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

/**
 * Sets the value at `path` (creating the objects on the way), or inserts it into a list at a numeric index,
 * changing nothing else in the text. Only the inserted text is formatted: `modify`'s own formatting would
 * also re-lay-out the neighbouring entry on the same line (a one-line server entry would become several).
 */
export function editJsonc(
  text: string,
  path: ReadonlyArray<string | number>,
  value: unknown,
  style: EditStyle,
  insert = false,
): string {
  const tabs = style.unit.includes('\t');
  const formatting: FormattingOptions = {
    insertSpaces: !tabs,
    tabSize: tabs ? 1 : style.unit.length,
    eol: style.eol,
    keepLines: false,
  };
  const edits = modify(text, [...path], value, { isArrayInsertion: insert });
  const [edit] = edits;
  if (edit === undefined || edits.length > 1) {
    return applyEdits(
      text,
      modify(text, [...path], value, { isArrayInsertion: insert, formattingOptions: formatting }),
    );
  }
  const edited = applyEdits(text, edits);
  // The inserted text and the blanks on either side of it, up to and including the next character (so that
  // `{}` opens onto its own lines); nothing else.
  let start = edit.offset;
  while (start > 0 && /\s/.test(edited.charAt(start - 1))) start--;
  let end = edit.offset + edit.content.length;
  while (end < edited.length && /\s/.test(edited.charAt(end))) end++;
  start = Math.max(0, start - 1);
  end = Math.min(edited.length, end + 1);
  return applyEdits(edited, format(edited, { offset: start, length: end - start }, formatting));
}
