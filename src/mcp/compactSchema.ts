/**
 * The tool list is sent into every conversation, so every byte of it costs tokens (issue 14: under 12 KB
 * over stdio). Two things in it say nothing to a model:
 * - the `$schema` dialect URL zod puts on every JSON Schema (MCP already fixes the dialect to 2020-12 by
 *   default, https://modelcontextprotocol.io/specification/2025-11-25/server/tools);
 * - in output schemas, `additionalProperties: false` on every object (zod's output mode adds it): it only
 *   tells a client to reject fields we might add later, nothing a model reads;
 * - fields marked `.meta({ unlisted: true })`: accepted and validated, but not advertised (synonyms
 *   kept for models that guess another name, e.g. iterations for n);
 * - on a field listed without a text (its text is said once on another tool), the bounds (lengths, item
 *   counts, ranges): said with the text, and still enforced here by zod;
 * - string lengths (minLength, maxLength) on every field: limits no model comes near (a prompt of 8192
 *   characters, a name of 64), still enforced by zod, whose refusal names the limit; item counts and
 *   ranges, which a model does choose by (n 1-4, up to 14 references), stay;
 * - annotations equal to the spec's defaults (readOnlyHint false, destructiveHint true, idempotentHint
 *   false, openWorldHint true), except readOnlyHint and openWorldHint, which clients show and some read
 *   without applying the default.
 * The schema keeps validating through zod (`~standard.validate` is untouched).
 * @module
 */
import type { ToolAnnotations } from '@modelcontextprotocol/server';

interface JsonSchemaProducer {
  input(options: unknown): Record<string, unknown>;
  output(options: unknown): Record<string, unknown>;
}

interface StandardCarrier {
  '~standard': { jsonSchema?: JsonSchemaProducer } & Record<string, unknown>;
}

/** The same schema, producing JSON Schema without `$schema`. */
export function withoutDialect<S>(schema: S): S {
  const standard = (schema as unknown as StandardCarrier)['~standard'];
  const produce = standard?.jsonSchema;
  if (produce === undefined) return schema;
  const strip = (json: Record<string, unknown>) => {
    const { $schema: _dialect, ...rest } = json;
    return rest;
  };
  const compact: JsonSchemaProducer = {
    input: (options) => withoutBoundsOfBareFields(withoutUnlisted(strip(produce.input(options)))),
    output: (options) => openObjects(strip(produce.output(options))) as Record<string, unknown>,
  };
  // A prototype link, not a copy: everything else (parse, shape, `_zod`) is the original schema's.
  return Object.create(schema as object, {
    '~standard': { value: { ...standard, jsonSchema: compact }, enumerable: false },
  }) as S;
}

function withoutUnlisted(json: Record<string, unknown>): Record<string, unknown> {
  const properties = json.properties as Record<string, { unlisted?: boolean }> | undefined;
  if (properties === undefined) return json;
  const listed = Object.entries(properties).filter(([, field]) => field.unlisted !== true);
  if (listed.length === Object.keys(properties).length) return json;
  return { ...json, properties: Object.fromEntries(listed) };
}

const BOUNDS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum']);
const LENGTHS = new Set(['minLength', 'maxLength']);

function withoutBoundsOfBareFields(json: Record<string, unknown>): Record<string, unknown> {
  const properties = json.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties === undefined) return json;
  const without =
    (keys: Set<string>) =>
    (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(without(keys));
      if (node === null || typeof node !== 'object') return node;
      return Object.fromEntries(
        Object.entries(node)
          .filter(([key]) => !keys.has(key))
          .map(([key, value]) => [key, without(keys)(value)]),
      );
    };
  const unbounded = without(BOUNDS);
  const unmeasured = without(LENGTHS);
  return {
    ...json,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, field]) => [
        name,
        field.description ? unmeasured(field) : unbounded(field),
      ]),
    ),
  };
}

function openObjects(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(openObjects);
  if (json === null || typeof json !== 'object') return json;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = openObjects(value);
  }
  return out;
}

/** Annotations without the hints that only repeat the spec's defaults. */
export function compactAnnotations(annotations: ToolAnnotations | undefined): ToolAnnotations | undefined {
  if (annotations === undefined) return undefined;
  const { destructiveHint, idempotentHint, ...rest } = annotations;
  return {
    ...rest,
    // destructiveHint only means something when the tool is not read-only; true is the default.
    ...(annotations.readOnlyHint !== true && destructiveHint === false ? { destructiveHint } : {}),
    ...(idempotentHint === true ? { idempotentHint } : {}),
  };
}
