/**
 * Structured output for the text models: builds a deterministic value that validates against the request's
 * schema, either a standard JSON Schema (`responseJsonSchema`) or Google's OpenAPI-style Schema
 * (`responseSchema`, upper-case types, `nullable`, `propertyOrdering`). Strings are derived from the prompt so
 * that prompt-refinement code paths receive plausible text.
 * @module
 */
import { hash32 } from './hash.js';

type Schema = Record<string, unknown>;

interface Context {
  root: Schema;
  prompt: string;
  depth: number;
}

const MAX_DEPTH = 8;

export function sampleFromSchema(schema: unknown, prompt: string): unknown {
  const root = isObject(schema) ? schema : {};
  return sample(root, { root, prompt, depth: 0 }, 'value');
}

function sample(schema: Schema, ctx: Context, path: string): unknown {
  const resolved = resolveRef(schema, ctx.root);
  const next: Context = { ...ctx, depth: ctx.depth + 1 };
  if ('const' in resolved) return resolved.const;
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) {
    const options = resolved.enum.filter((v) => v !== null);
    const pool = options.length > 0 ? options : resolved.enum;
    return pool[hash32(`${ctx.prompt}\u0000${path}`) % pool.length];
  }
  const variants = (resolved.anyOf ?? resolved.oneOf) as unknown;
  if (Array.isArray(variants) && variants.length > 0) {
    const schemas = variants.filter(isObject).map((v) => resolveRef(v, ctx.root));
    // Prefer a non-null branch: a JSON null is valid but useless to the caller.
    const pick = schemas.find((v) => normaliseType(v) !== 'null') ?? schemas[0] ?? {};
    return sample({ ...withoutKeys(resolved, ['anyOf', 'oneOf']), ...pick }, next, path);
  }
  if (Array.isArray(resolved.allOf)) {
    const merged = mergeAll(resolved.allOf.filter(isObject).map((v) => resolveRef(v, ctx.root)));
    return sample({ ...withoutKeys(resolved, ['allOf']), ...merged }, next, path);
  }
  switch (normaliseType(resolved)) {
    case 'object':
      return sampleObject(resolved, next, path);
    case 'array':
      return sampleArray(resolved, next, path);
    case 'integer':
      return sampleNumber(resolved, ctx, path, true);
    case 'number':
      return sampleNumber(resolved, ctx, path, false);
    case 'boolean':
      return hash32(`${ctx.prompt}\u0000${path}`) % 2 === 0;
    case 'null':
      return null;
    default:
      return sampleString(resolved, ctx, path);
  }
}

function sampleObject(schema: Schema, ctx: Context, path: string): Record<string, unknown> {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : [];
  const ordering = Array.isArray(schema.propertyOrdering)
    ? schema.propertyOrdering.filter((k): k is string => typeof k === 'string')
    : [];
  const keys = [...new Set([...ordering, ...Object.keys(properties), ...required])];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // Deep (recursive) schemas stop at optional properties so generation terminates.
    if (ctx.depth > MAX_DEPTH && !required.includes(key)) continue;
    const child = properties[key];
    // The whole path goes down, so that the items of an array (concepts[0], concepts[1]) differ.
    out[key] = sample(isObject(child) ? child : {}, ctx, path === 'value' ? key : `${path}.${key}`);
  }
  return out;
}

function sampleArray(schema: Schema, ctx: Context, path: string): unknown[] {
  const min = numberOr(schema.minItems, 0);
  const max = numberOr(schema.maxItems, Number.POSITIVE_INFINITY);
  const wanted = ctx.depth > MAX_DEPTH ? min : 3;
  const count = Math.max(min, Math.min(max, wanted));
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems.filter(isObject) : [];
  const items = isObject(schema.items) ? schema.items : {};
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const itemSchema = prefix[i] ?? items;
    let value = sample(itemSchema, ctx, `${path}[${i}]`);
    if (schema.uniqueItems === true) {
      // Try other hash paths until the value is new; enum pools may run out, then stop at the minimum.
      for (let attempt = 1; seen.has(JSON.stringify(value)) && attempt < 50; attempt++) {
        value = sample(itemSchema, ctx, `${path}[${i}]#${attempt}`);
      }
      if (seen.has(JSON.stringify(value))) break;
      seen.add(JSON.stringify(value));
    }
    out.push(value);
  }
  return out;
}

function sampleNumber(schema: Schema, ctx: Context, path: string, integer: boolean): number {
  let low = numberOr(schema.minimum, Number.NaN);
  let high = numberOr(schema.maximum, Number.NaN);
  const exclusiveLow = schema.exclusiveMinimum;
  const exclusiveHigh = schema.exclusiveMaximum;
  const step = integer ? 1 : 0.01;
  if (typeof exclusiveLow === 'number') low = Math.max(Number.isNaN(low) ? -Infinity : low, exclusiveLow + step);
  if (typeof exclusiveHigh === 'number') high = Math.min(Number.isNaN(high) ? Infinity : high, exclusiveHigh - step);
  if (Number.isNaN(low) || !Number.isFinite(low)) low = Number.isFinite(high) && high < 0 ? high - 100 : 0;
  if (Number.isNaN(high) || !Number.isFinite(high)) high = low + 100;
  const fraction = (hash32(`${ctx.prompt}\u0000${path}`) % 1000) / 1000;
  let value = low + (high - low) * fraction;
  const multipleOf = numberOr(schema.multipleOf, 0);
  if (multipleOf > 0) value = Math.ceil(value / multipleOf) * multipleOf;
  if (integer) value = Math.min(Math.floor(high), Math.max(Math.ceil(low), Math.round(value)));
  else value = Math.round(value * 100) / 100;
  return Math.min(high, Math.max(low, value));
}

function sampleString(schema: Schema, ctx: Context, path: string): string {
  const format = typeof schema.format === 'string' ? schema.format : '';
  const h = hash32(`${ctx.prompt}\u0000${path}`);
  switch (format) {
    case 'date-time':
      return '2026-11-20T10:00:00Z';
    case 'date':
      return '2026-11-20';
    case 'time':
      return '10:00:00Z';
    case 'email':
      return 'emulator@example.com';
    case 'uri':
    case 'url':
      return `https://example.com/${h.toString(16)}`;
    case 'uuid': {
      const hex = `${h.toString(16).padStart(8, '0')}${(h ^ 0x5bd1e995).toString(16).padStart(8, '0')}`;
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(1, 4)}-${hex.slice(4, 16)}`;
    }
    default:
      break;
  }
  const text = textFor(ctx.prompt, path, h);
  let out = text;
  const minLength = numberOr(schema.minLength, 0);
  const maxLength = numberOr(schema.maxLength, Number.POSITIVE_INFINITY);
  while (out.length < minLength) out += ' with more detail';
  if (out.length > maxLength) out = out.slice(0, maxLength).trimEnd();
  while (out.length < minLength) out += '.';
  return out;
}

/** Lower-cases Google's `STRING`/`OBJECT`… and picks the first non-null entry of `type: [..]`. */
function normaliseType(schema: Schema): string {
  const type = schema.type;
  if (typeof type === 'string') return type.toLowerCase();
  if (Array.isArray(type)) {
    const named = type.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
    return named.find((t) => t !== 'null') ?? named[0] ?? 'string';
  }
  if (isObject(schema.properties)) return 'object';
  if (isObject(schema.items) || Array.isArray(schema.prefixItems)) return 'array';
  return 'string';
}

function resolveRef(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#')) break;
    let target: unknown = root;
    for (const piece of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(piece.replace(/~1/g, '/').replace(/~0/g, '~'));
      target = isObject(target) ? target[key] : undefined;
    }
    if (!isObject(target)) break;
    current = { ...withoutKeys(current, ['$ref']), ...target };
  }
  return current;
}

function mergeAll(schemas: Schema[]): Schema {
  const merged: Schema = {};
  const properties: Schema = {};
  const required: unknown[] = [];
  for (const s of schemas) {
    Object.assign(merged, s);
    if (isObject(s.properties)) Object.assign(properties, s.properties);
    if (Array.isArray(s.required)) required.push(...s.required);
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.length > 0) merged.required = required;
  return merged;
}

function withoutKeys(schema: Schema, keys: string[]): Schema {
  const copy = { ...schema };
  for (const key of keys) delete copy[key];
  return copy;
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Google's Schema sends int64 fields (minItems, maxLength…) as strings. */
function numberOr(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fallback;
}

/**
 * Art directions the text model "chooses" between: the n-th item of an array (the n-th concept) takes the
 * n-th, so that several concepts differ in title, prompt, style and keywords, as a real model's would.
 */
const DIRECTIONS = [
  {
    name: 'Cinematic',
    medium: 'a cinematic still',
    lighting: 'cinematic lighting',
    palette: 'rich textures',
    composition: 'a balanced composition',
    words: ['cinematic', 'dramatic'],
  },
  {
    name: 'Watercolour',
    medium: 'a loose watercolour painting',
    lighting: 'soft morning light',
    palette: 'pastel washes',
    composition: 'plenty of white space',
    words: ['watercolour', 'pastel'],
  },
  {
    name: 'Minimal flat',
    medium: 'a flat vector illustration',
    lighting: 'even shadowless light',
    palette: 'three bold colours',
    composition: 'a centred, minimal layout',
    words: ['minimal', 'vector'],
  },
  {
    name: 'Isometric 3D',
    medium: 'an isometric 3D render',
    lighting: 'warm studio light',
    palette: 'clay-like materials',
    composition: 'a tidy diorama',
    words: ['isometric', '3d'],
  },
  {
    name: 'Noir',
    medium: 'a black-and-white photograph',
    lighting: 'hard side light and deep shadows',
    palette: 'high contrast',
    composition: 'a low angle',
    words: ['noir', 'monochrome'],
  },
  {
    name: 'Golden hour',
    medium: 'a 35 mm photograph',
    lighting: 'golden-hour backlight',
    palette: 'warm ambers',
    composition: 'a wide establishing shot',
    words: ['golden-hour', 'photographic'],
  },
] as const;

const STOP_WORDS = new Set(
  'a an the of and or with in on at to for by from into over under near its it this that these those is are be as my your our their some any very more most make made show draw create image picture photo please'.split(
    ' ',
  ),
);

/** The words of the prompt worth keeping: no parentheses (instructions to the model), no stop words. */
function subjectWords(prompt: string): string[] {
  const words = prompt
    .replace(/\([^)]*\)/g, ' ')
    .toLowerCase()
    .match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu);
  const kept = (words ?? []).filter((w) => w.length > 2 && !STOP_WORDS.has(w));
  return [...new Set(kept)];
}

/** Text for a string field, from its name, its place (which array item) and the prompt. */
function textFor(rawPrompt: string, path: string, h: number): string {
  const prompt =
    rawPrompt
      .replace(/\([^)]*\)/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || 'an image';
  const segments = path.split('.');
  const leaf = segments.at(-1) ?? 'value';
  const key = leaf.replace(/\[\d+\]$/, '').toLowerCase();
  // The array item this field belongs to (concepts[2].title → 2), and its own index (keywords[1] → 1).
  const parentIndices = [
    ...segments
      .slice(0, -1)
      .join('.')
      .matchAll(/\[(\d+)\]/g),
  ];
  const itemIndex = Number(parentIndices.at(-1)?.[1] ?? 0);
  const ownIndex = /\[(\d+)\]$/.exec(leaf)?.[1];
  const direction = DIRECTIONS[itemIndex % DIRECTIONS.length] ?? DIRECTIONS[0];
  const subject = subjectWords(prompt);
  if (/keyword|tag/.test(key) && ownIndex !== undefined) {
    const pool = [...subject.slice(0, 2), ...direction.words, ...subject.slice(2), direction.lighting];
    return pool[Number(ownIndex) % pool.length] ?? direction.name.toLowerCase();
  }
  if (/prompt|refined|rewrit|improved|description|text|caption/.test(key)) {
    return `${prompt}, rendered as ${direction.medium} with ${direction.lighting}, ${direction.palette} and ${direction.composition}`;
  }
  if (/title|name|label|subject/.test(key)) {
    const head = titleCase((subject.length > 0 ? subject : prompt.split(' ')).slice(0, 5).join(' '));
    return `${head} (${direction.name})`;
  }
  if (/style|mood|tone/.test(key)) return direction.name.toLowerCase();
  const words = subject.length > 0 ? subject : prompt.split(' ');
  return ownIndex === undefined ? prompt : (words[(Number(ownIndex) + h) % words.length] ?? prompt);
}

function titleCase(text: string): string {
  return text.replace(/\b\w/g, (c) => c.toUpperCase());
}
