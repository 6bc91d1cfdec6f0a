/**
 * How one environment variable's text becomes a setting's value. Each setting in settings.ts names its reader;
 * a reader returns `undefined` for "not set here", so the file or the default stays.
 * @module
 */
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

/** Reads the value of the variable `name` (undefined when unset). */
export type EnvReader = (value: string | undefined, name: string) => unknown;

/** Taken as written, even empty (then refused by the setting's rule). */
export const raw: EnvReader = (value) => value;

/** Trimmed; empty or blank counts as unset. */
export const text: EnvReader = (value) => nonEmpty(value);

/** A number; blank counts as unset, anything else not a finite number is refused naming the variable. */
export const number: EnvReader = (value, name) => numberFrom(name, value);

/** On for 1, true, yes or on (any case), off for anything else that is set, even empty. */
export const flag: EnvReader = (value) => (value === undefined ? undefined : isTrue(value));

/** As {@link flag}, but blank counts as unset. */
export const flagUnlessBlank: EnvReader = (value) =>
  value === undefined || value.trim() === '' ? undefined : isTrue(value);

/** Comma-separated, trimmed, empty items dropped; an empty variable counts as unset. */
export const commaList: EnvReader = (value) => (value ? splitList(value, ',') : undefined);

/** Separated by the platform's path delimiter (`:`, or `;` on Windows); an empty variable counts as unset. */
export const pathList: EnvReader = (value) => (value ? splitList(value, path.delimiter) : undefined);

/** A comma-separated list of emails, lower-cased (emails compare case-insensitively). */
export const emails: EnvReader = (value) => (value ? splitList(value, ',').map((e) => e.toLowerCase()) : undefined);

export function numberFrom(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(`Invalid setting ${name}="${value}": expected a number.`);
  return n;
}

export function splitList(value: string, separator: string): string[] {
  return value
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
