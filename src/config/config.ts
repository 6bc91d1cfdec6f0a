/**
 * One configuration pipeline: defaults < config file < environment < command-line flags, merged and
 * validated in {@link resolveConfig}. A bad setting fails at start with a message naming it. What each setting
 * is (rule, default, environment variables, flag, hint) is declared once, in settings.ts; this module derives
 * the type, the merge and the environment mapping from it.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { BUILTIN_MODELS, type IMAGE_SIZES, type ModelOverrides } from '../core/models.js';
import { defaultDataDir } from './dataDir.js';
import { numberFrom, splitList } from './envValues.js';
import type { Setting } from './setting.js';
import { SETTINGS } from './settings.js';

type Settings = typeof SETTINGS;
const ENTRIES = Object.entries(SETTINGS) as Array<[keyof Settings & string, Setting]>;

const configSchema = z
  .object(
    Object.fromEntries(ENTRIES.map(([key, s]) => [key, s.schema])) as { [K in keyof Settings]: Settings[K]['schema'] },
  )
  .strict();

/** The configuration with every default filled in. */
export type FullConfig = Omit<z.infer<typeof configSchema>, 'imageLinks'> & { imageLinks: 'presigned' | 'proxied' };

/** Everything a person may set. All optional; see settings.ts (and README "Options") for each. */
export type Config = Partial<FullConfig>;

/** Defaults that do not depend on other settings (`dataDir` follows the platform, `imageLinks` follows `blobUrl`). */
const DEFAULTS = Object.fromEntries(
  ENTRIES.filter(([, s]) => s.default !== undefined).map(([key, s]) => [key, s.default]),
) as Partial<FullConfig>;

export interface ResolveConfigInput {
  /** Parsed command-line flags, already mapped to config keys. */
  flags?: Config;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file (from `--config` or STUDIO_CONFIG). */
  configFile?: string;
}

export function resolveConfig(input: ResolveConfigInput = {}): FullConfig {
  const env = input.env ?? process.env;
  const filePath = input.configFile ?? env.STUDIO_CONFIG;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const merged = {
    dataDir: defaultDataDir(env),
    ...DEFAULTS,
    ...definedOnly(fromFile),
    ...definedOnly(configFromEnv(env)),
    ...definedOnly(input.flags ?? {}),
  };
  merged.models = { ...modelOverridesFromEnv(env, fromFile.models ?? {}), ...(input.flags?.models ?? {}) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') ?? '?';
    throw new ConfigError(`Invalid setting "${key}": ${issue?.message ?? 'invalid'}. ${hintFor(key)}`.trim());
  }
  const config: FullConfig = {
    ...parsed.data,
    imageLinks: parsed.data.imageLinks ?? (parsed.data.blobUrl ? 'presigned' : 'proxied'),
  };
  config.dataDir = path.resolve(config.dataDir);
  if (config.imageLinks === 'presigned' && !config.blobUrl) {
    throw new ConfigError(
      'Invalid setting "imageLinks": presigned links need S3 storage (STUDIO_BLOB_URL=s3://bucket/prefix). Use proxied with the local data folder (STUDIO_IMAGE_LINKS).',
    );
  }
  if (config.imageLinks === 'proxied' && config.blobUrl && !config.linkSecret) {
    throw new ConfigError(
      'Missing setting "linkSecret": S3 storage with proxied links needs STUDIO_LINK_SECRET (a random string of at least 16 characters, e.g. from openssl rand -hex 32) to sign the /i/ links. Or use STUDIO_IMAGE_LINKS=presigned.',
    );
  }
  if (config.styleGuide?.startsWith('@')) {
    const file = config.styleGuide.slice(1);
    try {
      config.styleGuide = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`Invalid setting "styleGuide": cannot read ${file}: ${(error as Error).message}.`);
    }
  }
  const knownAliases = new Set(BUILTIN_MODELS.map((m) => m.alias));
  for (const alias of Object.keys(config.models)) {
    if (!knownAliases.has(alias)) {
      throw new ConfigError(
        `Invalid setting "models.${alias}": unknown model alias. Known aliases: ${[...knownAliases].join(', ')}.`,
      );
    }
  }
  return config;
}

/** Each setting from the first of its environment variables that yields a value. */
function configFromEnv(env: NodeJS.ProcessEnv): Config {
  const config: Record<string, unknown> = {};
  for (const [key, s] of ENTRIES) {
    if (s.fromEnv) config[key] = s.fromEnv(env);
    for (const name of s.read ? (s.env ?? []) : []) {
      const value = s.read?.(env[name], name);
      if (value !== undefined) {
        config[key] = value;
        break;
      }
    }
  }
  return config as Config;
}

/** The flags settings.ts declares, for `parseArgs` (each takes a string, or nothing for a boolean). */
export function flagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(
    ENTRIES.flatMap(([, s]) =>
      s.flag ? [[s.flag.name, { type: s.flag.type === 'boolean' ? 'boolean' : 'string' }]] : [],
    ),
  );
}

/** Parsed command-line flags (by flag name) as settings; a number flag that is not one is refused. */
export function configFromFlags(values: Record<string, string | boolean | undefined>): Config {
  const config: Record<string, unknown> = {};
  for (const [key, s] of ENTRIES) {
    const value = s.flag ? values[s.flag.name] : undefined;
    if (!s.flag || value === undefined) continue;
    if (s.flag.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ConfigError(`--${s.flag.name} expects a number, got "${value}".`);
      config[key] = n;
    } else if (s.flag.type === 'list') {
      config[key] = splitList(String(value), s.flag.separator === 'path' ? path.delimiter : ',');
    } else config[key] = value;
  }
  return config as Config;
}

/**
 * `STUDIO_MODEL_PRO=gemini-3-pro-image`, `STUDIO_PRICE_NB2_4K=0.16` and `STUDIO_MODEL_NB2_SHUTDOWN=2027-01-31`
 * (also `_STATUS`, `_RELEASED`, `_DEPRECATED`, `_REPLACEMENT`; `none` clears) override ids, prices and lifecycle.
 */
function modelOverridesFromEnv(env: NodeJS.ProcessEnv, base: ModelOverrides): ModelOverrides {
  const overrides: ModelOverrides = structuredClone(base);
  const aliasOf = (raw: string) => raw.toLowerCase().replace(/_/g, '.');
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    const lifecycleMatch = /^STUDIO_MODEL_([A-Z0-9_]+?)_(STATUS|RELEASED|DEPRECATED|SHUTDOWN|REPLACEMENT)$/.exec(name);
    if (lifecycleMatch?.[1] && lifecycleMatch[2]) {
      const alias = aliasOf(lifecycleMatch[1]);
      const key = lifecycleMatch[2].toLowerCase() as 'status' | 'released' | 'deprecated' | 'shutdown' | 'replacement';
      // `none` clears a date or replacement (e.g. Google postponed a shutdown indefinitely).
      const cleared = value.trim().toLowerCase() === 'none' ? null : value.trim();
      overrides[alias] = { ...overrides[alias], [key]: key === 'status' ? cleared?.toLowerCase() : cleared };
      continue;
    }
    const idMatch = /^STUDIO_MODEL_([A-Z0-9_]+)$/.exec(name);
    if (idMatch?.[1]) {
      const alias = aliasOf(idMatch[1]);
      overrides[alias] = { ...overrides[alias], id: value };
      continue;
    }
    const priceMatch = /^STUDIO_PRICE_([A-Z0-9_]+?)_(512|1K|2K|4K)$/i.exec(name);
    if (priceMatch?.[1] && priceMatch[2]) {
      const alias = aliasOf(priceMatch[1]);
      const size = priceMatch[2].toUpperCase() as (typeof IMAGE_SIZES)[number];
      const price = numberFrom(name, value);
      overrides[alias] = { ...overrides[alias], pricePerImage: { ...overrides[alias]?.pricePerImage, [size]: price } };
    }
  }
  return overrides;
}

function readConfigFile(filePath: string): Config {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${filePath}: ${(error as Error).message}.`);
  }
  try {
    return JSON.parse(text) as Config;
  } catch (error) {
    throw new ConfigError(`The config file ${filePath} is not valid JSON: ${(error as Error).message}.`);
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function hintFor(key: string): string {
  return (SETTINGS as Record<string, Setting>)[key]?.hint ?? '';
}
