/**
 * The shape of one setting's declaration (see settings.ts): its rule, default, environment variables, flag,
 * hint and README row.
 * @module
 */
import type { z } from 'zod';
import type { EnvReader } from './envValues.js';

export interface FlagSpec {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  /** For lists: `,`, or `path` for the platform's path delimiter. */
  separator?: ',' | 'path';
}

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** What a value must be; checked once everything is merged. */
  schema: S;
  /** The value when nothing sets it (none: unset, or derived from other settings at start). */
  default?: z.output<S>;
  /** Environment variables that set it, the first that yields a value wins, each read by `read`. */
  env?: readonly string[];
  read?: EnvReader;
  /** For a setting made of several variables at once (vertex). */
  fromEnv?: (env: NodeJS.ProcessEnv) => unknown;
  flag?: FlagSpec;
  /** Said after the rule's own message when a value is refused. */
  hint?: string;
  /** The README row: what it means, and the default and environment cells when not simply derived. */
  doc: { meaning: string; default?: string; env?: string };
}

export const setting = <S extends z.ZodType>(definition: Setting<S>): Setting<S> => definition;
