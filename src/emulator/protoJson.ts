/**
 * Reading a request body as Google's proto JSON parser does: snake_case and camelCase names alike, and an
 * unknown name refused with its "Cannot find field" 400.
 * @module
 */
import { invalidArgument, unknownField } from './errors.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `response_modalities` → `responseModalities`. */
export function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** An object's fields under their camelCase names; `at` is where it sits, for the messages. Absent: `{}`. */
export function fields(value: unknown, allowed: ReadonlySet<string>, at: string): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidArgument(`Invalid JSON payload received. Expected an object at '${at}'.`);
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = camel(key);
    if (!allowed.has(name)) throw unknownField(key, at);
    out[name] = inner;
  }
  return out;
}
