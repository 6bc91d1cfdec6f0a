/**
 * Merging one server entry into a JSON (or JSON-with-comments) client configuration: every other key and
 * server is kept, and so are comments and formatting wherever the client accepts them.
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { editJsonc, JsonShapeError, type ParsedJsonc, parseJsonc, styleOf } from './jsonc.js';

export interface JsonMergeInput {
  /** The current file, `undefined` when there is none. */
  text: string | undefined;
  serversKey: string;
  name: string;
  entry: Record<string, unknown>;
  /** An `inputs` item to add (by `id`) when the file has none with that id (VS Code's key prompt). */
  input?: { id: string } & Record<string, unknown>;
  /** The client reads plain JSON only: a file with comments or trailing commas is rewritten as plain JSON. */
  strictJson: boolean;
}

export interface MergeResult {
  text: string;
  /** Said to the person when the file had to be rewritten rather than edited in place. */
  note?: string;
}

/**
 * The servers object of a configuration text (empty when there is none). Throws JsonSyntaxError for text
 * that is not JSON (comments and trailing commas are accepted) and JsonShapeError for a wrong shape.
 */
export function readJsonServers(text: string | undefined, serversKey: string): Record<string, unknown> {
  const root = rootOf(text);
  if (root === undefined) return {};
  const servers = (root.value as Record<string, unknown>)[serversKey];
  if (servers === undefined) return {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new JsonShapeError(`"${serversKey}" is not a JSON object`);
  }
  return servers as Record<string, unknown>;
}

function rootOf(text: string | undefined): ParsedJsonc['root'] {
  if (text === undefined) return undefined;
  const { root } = parseJsonc(text);
  if (root !== undefined && root.type !== 'object') throw new JsonShapeError('the top level is not a JSON object');
  return root;
}

export function mergeJsonServer(input: JsonMergeInput): MergeResult {
  const { text, serversKey, name, entry } = input;
  const parsed = text === undefined ? undefined : parseJsonc(text);
  const root = parsed?.root;
  if (root !== undefined && root.type !== 'object') throw new JsonShapeError('the top level is not a JSON object');

  // What the file must say afterwards: the old document with our entry (and input) set.
  const expected = (root === undefined ? {} : structuredClone(root.value)) as Record<string, unknown>;
  const servers = expected[serversKey] ?? {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new JsonShapeError(`"${serversKey}" is not a JSON object`);
  }
  (servers as Record<string, unknown>)[name] = entry;
  expected[serversKey] = servers;
  let addInput = false;
  if (input.input !== undefined) {
    const inputs = expected.inputs ?? [];
    if (!Array.isArray(inputs)) throw new JsonShapeError('"inputs" is not a list');
    addInput = !inputs.some(
      (i) => typeof i === 'object' && i !== null && (i as { id?: unknown }).id === input.input?.id,
    );
    if (addInput) inputs.push(input.input);
    expected.inputs = inputs;
  }

  const style = styleOf(text ?? '');
  const rewrite = (note?: string): MergeResult => ({
    text: `${JSON.stringify(expected, null, style.unit).replace(/\n/g, style.eol)}${style.eol}`,
    ...(note === undefined ? {} : { note }),
  });
  if (text === undefined || root === undefined) return rewrite();
  if (input.strictJson && parsed?.strict === false) {
    return rewrite(
      'The file had comments or trailing commas, which this client does not accept; it was rewritten as plain JSON (the backup keeps the original).',
    );
  }
  if (!text.slice(root.start, root.end).includes('\n')) return rewrite(); // one-line (minified) file

  try {
    let edited = editJsonc(text, [serversKey, name], entry, style);
    if (addInput && input.input !== undefined) {
      const inputs = (root.value as { inputs?: unknown[] }).inputs;
      edited = Array.isArray(inputs)
        ? editJsonc(edited, ['inputs', inputs.length], input.input, style, true)
        : editJsonc(edited, ['inputs'], [input.input], style);
    }
    if (isDeepStrictEqual(parseJsonc(edited).root?.value, expected)) return { text: edited };
  } catch (error) {
    if (error instanceof JsonShapeError) throw error;
  }
  return rewrite('The file could not be edited in place, so it was rewritten (the backup keeps the original layout).');
}
