/**
 * One configuration pipeline: defaults < config file < environment < command-line flags, merged and
 * validated in {@link resolveConfig}. A bad setting fails at start with a message naming it.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { MODEL_STATUSES } from '../core/modelLifecycle.js';
import {
  BUILTIN_MODELS,
  DEFAULT_MODEL_ALIAS,
  DEFAULT_TEXT_MODEL,
  IMAGE_SIZES,
  type ModelOverrides,
} from '../core/models.js';
import { defaultDataDir } from './dataDir.js';

/** Everything a person may set. All optional; see README "Options" for each. */
export interface Config {
  /** Folder for the database and images. Default: a per-user data folder, never the working directory. */
  dataDir?: string;
  /** PostgreSQL instead of the embedded SQLite file (`postgres://user:pass@host:5432/db`). */
  databaseUrl?: string;
  /**
   * The instance's one LISTEN connection, when `databaseUrl` goes through a transaction-mode pooler
   * (PgBouncer): LISTEN needs a session of its own, so it connects to PostgreSQL directly. Default: `databaseUrl`.
   */
  databaseListenUrl?: string;
  /**
   * Where images and uploads are stored: `s3://bucket/prefix` for an S3-compatible bucket (AWS S3, Google
   * Cloud Storage interoperability, Cloudflare R2, MinIO), or empty for the local data folder (default).
   * Region and credentials come from the usual AWS settings (AWS_REGION, AWS_ACCESS_KEY_ID, …).
   */
  blobUrl?: string;
  /** S3 endpoint for anything but AWS itself (R2, GCS, MinIO). */
  s3Endpoint?: string;
  /** Path-style S3 addressing (`endpoint/bucket/key`). Default: on when an endpoint is set. */
  s3ForcePathStyle?: boolean;
  /**
   * How image links are made: `presigned` (direct, time-limited links to the bucket; S3 only) or `proxied`
   * (`/i/{id}.{ext}` on this server). Default: `presigned` with S3, `proxied` with the local folder.
   */
  imageLinks?: 'presigned' | 'proxied';
  /** Lifetime of presigned and signed links, in seconds (default 7 days, the most S3 allows). */
  linkTtlSeconds?: number;
  /**
   * HMAC key that signs proxied `/i/` links (with an expiry). Required with S3 and proxied links, and when
   * several instances serve one store. Without it (local folder), the unguessable image id is the link.
   */
  linkSecret?: string;
  /** Extra folders (besides the data folder and the client's MCP roots) that tools may read and write. */
  allowedRoots?: string[];
  /** HTTP bind address for `serve`. */
  host?: string;
  /** HTTP port for `serve`; 0 picks a free one. */
  port?: number;
  /** Public base URL of this server, used in image links (default `http://<host>:<port>`). */
  publicUrl?: string;
  /** Extra Host header names accepted by `serve` (DNS-rebinding protection), e.g. a public hostname. */
  allowedHosts?: string[];
  /** Browser origins allowed to call /mcp (CORS and the Origin check), e.g. https://inspector.example.com. */
  allowedOrigins?: string[];
  /** Gemini API key. Prefer the environment (GEMINI_API_KEY). */
  apiKey?: string;
  /** Gemini endpoint (a proxy, or the emulator). */
  geminiBaseUrl?: string;
  /** Use Vertex AI instead of the Gemini Developer API. */
  vertex?: { project?: string; location?: string };
  /** Start the Gemini emulator in-process and use it: synthetic images, no key, no cost. */
  emulator?: boolean;
  /** Emulator latency per call (ms), for demos of progress. */
  emulatorLatencyMs?: number;
  /** Model used when a call names none: an alias (`nb2.1`, `pro`, `lite`, `nb2`) or an id. Default nb2.1. */
  defaultModel?: string;
  /** Per-alias id and price overrides, e.g. `{ "pro": { "id": "gemini-3-pro-image", "pricePerImage": { "4K": 0.24 } } }`. */
  models?: ModelOverrides;
  /** Per-attempt Gemini timeout in seconds. */
  geminiTimeoutSeconds?: number;
  /** Attempts per Gemini call, first included. */
  geminiMaxAttempts?: number;
  /** What image tools return inline: a `preview` (default), the `full` image where it fits, or `none`. */
  imageResponses?: 'preview' | 'full' | 'none';
  /** Upper bound of one tool result in bytes (Claude Desktop rejects results over 1 MB). */
  maxResultBytes?: number;
  /** Upper bound of one preview after base64, in bytes. */
  maxPreviewBytes?: number;
  /** Largest reference image read from disk, in megabytes. */
  maxReferenceMb?: number;
  /** Largest file `upload_file` accepts, in megabytes. */
  maxUploadMb?: number;
  /** Largest HTTP request body in megabytes (reference images sent inline). */
  maxRequestBodyMb?: number;
  /** Rewrite raw prompts with the text model before generating (the engineer-prompt stage). Default on. */
  autoStyle?: boolean;
  /** A style guide the prompt engineer and the architect follow (text, or `@/path/to/file`). */
  styleGuide?: string;
  /** Text model for prompt engineering and concepts. */
  textModel?: string;
  /** The text model's list price in USD per million input / output tokens, for the ledger (0 when unset). */
  textPriceInputPerMillion?: number;
  textPriceOutputPerMillion?: number;
  /**
   * An optional cap on pipelines running at once in this process, and on Gemini calls in flight per model.
   * Unset: the Gemini key's adaptive limit decides (core/concurrency/adaptiveLimit.ts).
   */
  concurrency?: number;
  /** How long a synchronous generate_image waits before handing over to get_image (seconds). */
  syncLimitSeconds?: number;
  /** Longest one pipeline run may take before it is stopped (minutes). */
  maxPipelineMinutes?: number;
  /** With PostgreSQL: pipelines running at once across every instance (default: no limit beyond each instance's). */
  totalConcurrency?: number;
  /** With PostgreSQL: a pipeline whose instance went silent this long is run by another one (seconds, at least 10). */
  leaseSeconds?: number;
  /** With PostgreSQL: connections this instance's query pool may open (default: concurrency + 3). */
  databasePoolSize?: number;
  /** With PostgreSQL: how often pipelines left unfinished after their job ended are looked for (seconds). */
  sweepSeconds?: number;
  /** Sign-in for MCP clients over HTTP: `on` or `off` (default off on loopback, on elsewhere). */
  auth?: 'on' | 'off';
  /** Serve without sign-in on a non-loopback address (something in front already authenticates people). */
  allowUnauthenticated?: boolean;
  /** Who may sign in and generate (lower-cased, verified emails). */
  allowedEmails?: string[];
  /** Who sees and manages everyone's images, costs and budgets. */
  adminEmails?: string[];
  /** The OpenID Connect provider people sign in with (its issuer URL; Google by default). */
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecret?: string;
  /** Signs sessions and tokens; must be stable across restarts and the same on every instance. */
  authSecret?: string;
  /** Lifetime of MCP access tokens (seconds): how soon taking an email off the list shuts its clients out. */
  accessTokenSeconds?: number;
  /** Accept client metadata documents (client_id URLs) on loopback and private hosts: development only. */
  clientMetadataPrivateHosts?: boolean;
  /** This instance's name in logs and in the pipelines it runs (default: host name and process id). */
  instanceName?: string;
  /** On shutdown: how long running pipelines may go on before they are handed back or left to resume (seconds). */
  shutdownGraceSeconds?: number;
  /** pino level for stderr logs. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const sizeSchema = z.enum(IMAGE_SIZES);
const lifecycleDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .nullable()
  .optional();

const overridesSchema = z.record(
  z.string(),
  z
    .object({
      id: z.string().min(1).optional(),
      pricePerImage: z.partialRecord(sizeSchema, z.number().min(0)).optional(),
      status: z.enum(MODEL_STATUSES).optional(),
      released: lifecycleDate,
      deprecated: lifecycleDate,
      shutdown: lifecycleDate,
      replacement: z.string().min(1).nullable().optional(),
    })
    .strict(),
);

const configSchema = z
  .object({
    dataDir: z.string().min(1),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
    databaseListenUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
    blobUrl: z
      .string()
      .regex(/^s3:\/\//i, 'expected an s3:// URL such as s3://bucket/prefix')
      .optional(),
    s3Endpoint: z.url().optional(),
    s3ForcePathStyle: z.boolean().optional(),
    imageLinks: z.enum(['presigned', 'proxied']).optional(),
    linkTtlSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 3600),
    linkSecret: z
      .string()
      .min(16, 'use at least 16 characters (32 random bytes, e.g. openssl rand -hex 32)')
      .optional(),
    allowedRoots: z.array(z.string().min(1)),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    publicUrl: z.url().optional(),
    allowedHosts: z.array(z.string().min(1)),
    allowedOrigins: z.array(z.string().min(1)),
    apiKey: z.string().min(1).optional(),
    geminiBaseUrl: z.url().optional(),
    vertex: z.object({ project: z.string().optional(), location: z.string().optional() }).strict().optional(),
    emulator: z.boolean(),
    emulatorLatencyMs: z.number().int().min(0).max(600_000),
    defaultModel: z.string().min(1),
    models: overridesSchema,
    geminiTimeoutSeconds: z.number().positive().max(1800),
    geminiMaxAttempts: z.number().int().min(1).max(10),
    imageResponses: z.enum(['preview', 'full', 'none']),
    maxResultBytes: z.number().int().min(50_000),
    maxPreviewBytes: z.number().int().min(10_000),
    maxReferenceMb: z.number().positive().max(100),
    maxUploadMb: z.number().positive().max(2000),
    maxRequestBodyMb: z.number().positive().max(1024),
    autoStyle: z.boolean(),
    styleGuide: z.string().optional(),
    textModel: z.string().min(1),
    textPriceInputPerMillion: z.number().min(0).max(1000).optional(),
    textPriceOutputPerMillion: z.number().min(0).max(1000).optional(),
    concurrency: z.number().int().min(1).max(1024).optional(),
    syncLimitSeconds: z.number().min(0).max(3600),
    maxPipelineMinutes: z
      .number()
      .positive()
      .max(24 * 60),
    totalConcurrency: z.number().int().min(1).max(10_000).optional(),
    leaseSeconds: z.number().int().min(10).max(3600),
    databasePoolSize: z.number().int().min(2).max(1000).optional(),
    sweepSeconds: z.number().min(1).max(86_400),
    shutdownGraceSeconds: z.number().min(0).max(3600),
    instanceName: z.string().min(1).max(100).optional(),
    auth: z.enum(['on', 'off']).optional(),
    allowUnauthenticated: z.boolean(),
    allowedEmails: z.array(z.string().min(3)),
    adminEmails: z.array(z.string().min(3)),
    oidcIssuer: z.url(),
    oidcClientId: z.string().min(1).optional(),
    oidcClientSecret: z.string().min(1).optional(),
    authSecret: z.string().min(32).optional(),
    accessTokenSeconds: z.number().int().min(5).max(86_400),
    clientMetadataPrivateHosts: z.boolean(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  })
  .strict();

/** The configuration with every default filled in. */
export type FullConfig = Omit<z.infer<typeof configSchema>, 'imageLinks'> & { imageLinks: 'presigned' | 'proxied' };

/** 7 days: the default lifetime of image links, and the longest S3 allows for a presigned URL. */
export const DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 3600;

/** Defaults that do not depend on other settings (`imageLinks` follows `blobUrl`). */
export const DEFAULTS: Omit<FullConfig, 'dataDir' | 'imageLinks'> = {
  linkTtlSeconds: DEFAULT_LINK_TTL_SECONDS,
  allowedRoots: [],
  host: '127.0.0.1',
  port: 8766,
  allowedHosts: [],
  allowedOrigins: [],
  emulator: false,
  emulatorLatencyMs: 0,
  defaultModel: DEFAULT_MODEL_ALIAS,
  models: {},
  geminiTimeoutSeconds: 120,
  geminiMaxAttempts: 4,
  imageResponses: 'preview',
  maxResultBytes: 1_000_000,
  maxPreviewBytes: 700_000,
  maxReferenceMb: 20,
  maxUploadMb: 100,
  maxRequestBodyMb: 64,
  autoStyle: true,
  textModel: DEFAULT_TEXT_MODEL,
  syncLimitSeconds: 180,
  maxPipelineMinutes: 15,
  leaseSeconds: 30,
  sweepSeconds: 60,
  shutdownGraceSeconds: 20,
  allowUnauthenticated: false,
  allowedEmails: [],
  adminEmails: [],
  oidcIssuer: 'https://accounts.google.com',
  accessTokenSeconds: 600,
  clientMetadataPrivateHosts: false,
  logLevel: 'info',
};

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

function configFromEnv(env: NodeJS.ProcessEnv): Config {
  const vertexOn = isTrue(env.STUDIO_VERTEX) || isTrue(env.GOOGLE_GENAI_USE_VERTEXAI);
  return {
    dataDir: env.STUDIO_DATA_DIR,
    databaseUrl: nonEmpty(env.STUDIO_DATABASE_URL),
    databaseListenUrl: nonEmpty(env.STUDIO_DATABASE_LISTEN_URL),
    blobUrl: nonEmpty(env.STUDIO_BLOB_URL),
    s3Endpoint: nonEmpty(env.STUDIO_S3_ENDPOINT) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL),
    s3ForcePathStyle:
      env.STUDIO_S3_FORCE_PATH_STYLE === undefined || env.STUDIO_S3_FORCE_PATH_STYLE.trim() === ''
        ? undefined
        : isTrue(env.STUDIO_S3_FORCE_PATH_STYLE),
    imageLinks: nonEmpty(env.STUDIO_IMAGE_LINKS) as Config['imageLinks'],
    linkTtlSeconds: numberFrom('STUDIO_LINK_TTL_SECONDS', env.STUDIO_LINK_TTL_SECONDS),
    linkSecret: nonEmpty(env.STUDIO_LINK_SECRET),
    allowedRoots: env.STUDIO_ALLOWED_ROOTS ? splitList(env.STUDIO_ALLOWED_ROOTS, path.delimiter) : undefined,
    host: env.STUDIO_HOST,
    port: numberFrom('STUDIO_PORT', env.STUDIO_PORT),
    publicUrl: env.STUDIO_PUBLIC_URL,
    allowedHosts: env.STUDIO_ALLOWED_HOSTS ? splitList(env.STUDIO_ALLOWED_HOSTS, ',') : undefined,
    allowedOrigins: env.STUDIO_ALLOWED_ORIGINS ? splitList(env.STUDIO_ALLOWED_ORIGINS, ',') : undefined,
    apiKey: nonEmpty(env.GEMINI_API_KEY) ?? nonEmpty(env.GOOGLE_API_KEY),
    geminiBaseUrl: nonEmpty(env.GEMINI_BASE_URL),
    vertex: vertexOn
      ? { project: env.GOOGLE_CLOUD_PROJECT, location: env.GOOGLE_CLOUD_LOCATION ?? 'global' }
      : undefined,
    emulator: env.STUDIO_EMULATOR === undefined ? undefined : isTrue(env.STUDIO_EMULATOR),
    emulatorLatencyMs: numberFrom('STUDIO_EMULATOR_LATENCY_MS', env.STUDIO_EMULATOR_LATENCY_MS),
    defaultModel: env.STUDIO_DEFAULT_MODEL,
    geminiTimeoutSeconds: numberFrom('STUDIO_GEMINI_TIMEOUT_SECONDS', env.STUDIO_GEMINI_TIMEOUT_SECONDS),
    geminiMaxAttempts: numberFrom('STUDIO_GEMINI_MAX_ATTEMPTS', env.STUDIO_GEMINI_MAX_ATTEMPTS),
    imageResponses: env.STUDIO_IMAGE_RESPONSES as Config['imageResponses'],
    maxResultBytes: numberFrom('STUDIO_MAX_RESULT_BYTES', env.STUDIO_MAX_RESULT_BYTES),
    maxPreviewBytes: numberFrom('STUDIO_MAX_PREVIEW_BYTES', env.STUDIO_MAX_PREVIEW_BYTES),
    maxReferenceMb: numberFrom('STUDIO_MAX_REFERENCE_MB', env.STUDIO_MAX_REFERENCE_MB),
    maxUploadMb: numberFrom('STUDIO_MAX_UPLOAD_MB', env.STUDIO_MAX_UPLOAD_MB),
    maxRequestBodyMb: numberFrom('STUDIO_MAX_REQUEST_BODY_MB', env.STUDIO_MAX_REQUEST_BODY_MB),
    autoStyle: env.STUDIO_AUTO_STYLE === undefined ? undefined : isTrue(env.STUDIO_AUTO_STYLE),
    styleGuide: nonEmpty(env.STUDIO_STYLE_GUIDE),
    textModel: nonEmpty(env.STUDIO_TEXT_MODEL),
    textPriceInputPerMillion: numberFrom('STUDIO_TEXT_PRICE_INPUT_PER_M', env.STUDIO_TEXT_PRICE_INPUT_PER_M),
    textPriceOutputPerMillion: numberFrom('STUDIO_TEXT_PRICE_OUTPUT_PER_M', env.STUDIO_TEXT_PRICE_OUTPUT_PER_M),
    concurrency: numberFrom('STUDIO_CONCURRENCY', env.STUDIO_CONCURRENCY),
    syncLimitSeconds: numberFrom('STUDIO_SYNC_LIMIT_SECONDS', env.STUDIO_SYNC_LIMIT_SECONDS),
    maxPipelineMinutes: numberFrom('STUDIO_MAX_PIPELINE_MINUTES', env.STUDIO_MAX_PIPELINE_MINUTES),
    totalConcurrency: numberFrom('STUDIO_TOTAL_CONCURRENCY', env.STUDIO_TOTAL_CONCURRENCY),
    leaseSeconds: numberFrom('STUDIO_LEASE_SECONDS', env.STUDIO_LEASE_SECONDS),
    databasePoolSize: numberFrom('STUDIO_DATABASE_POOL_SIZE', env.STUDIO_DATABASE_POOL_SIZE),
    sweepSeconds: numberFrom('STUDIO_SWEEP_SECONDS', env.STUDIO_SWEEP_SECONDS),
    shutdownGraceSeconds: numberFrom('STUDIO_SHUTDOWN_GRACE_SECONDS', env.STUDIO_SHUTDOWN_GRACE_SECONDS),
    instanceName: nonEmpty(env.STUDIO_INSTANCE_NAME),
    auth: env.STUDIO_AUTH as Config['auth'],
    allowUnauthenticated:
      env.STUDIO_ALLOW_UNAUTHENTICATED === undefined ? undefined : isTrue(env.STUDIO_ALLOW_UNAUTHENTICATED),
    allowedEmails: env.STUDIO_ALLOWED_EMAILS ? emails(env.STUDIO_ALLOWED_EMAILS) : undefined,
    adminEmails: env.STUDIO_ADMIN_EMAILS ? emails(env.STUDIO_ADMIN_EMAILS) : undefined,
    oidcIssuer: nonEmpty(env.STUDIO_OIDC_ISSUER),
    oidcClientId: nonEmpty(env.STUDIO_OIDC_CLIENT_ID),
    oidcClientSecret: nonEmpty(env.STUDIO_OIDC_CLIENT_SECRET),
    authSecret: nonEmpty(env.STUDIO_AUTH_SECRET),
    accessTokenSeconds: numberFrom('STUDIO_ACCESS_TOKEN_SECONDS', env.STUDIO_ACCESS_TOKEN_SECONDS),
    clientMetadataPrivateHosts:
      env.STUDIO_CLIENT_METADATA_PRIVATE_HOSTS === undefined
        ? undefined
        : isTrue(env.STUDIO_CLIENT_METADATA_PRIVATE_HOSTS),
    logLevel: env.STUDIO_LOG_LEVEL as Config['logLevel'],
  };
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

function numberFrom(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(`Invalid setting ${name}="${value}": expected a number.`);
  return n;
}

function splitList(value: string, separator: string): string[] {
  return value
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A comma-separated list of emails, lower-cased (emails compare case-insensitively). */
function emails(value: string): string[] {
  return splitList(value, ',').map((e) => e.toLowerCase());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function hintFor(key: string): string {
  const hints: Record<string, string> = {
    port: 'Use a number from 0 to 65535 (--port, STUDIO_PORT).',
    defaultModel: 'Use an alias such as nb2.1, pro, lite (--default-model, STUDIO_DEFAULT_MODEL).',
    imageResponses: 'Use preview, full or none (STUDIO_IMAGE_RESPONSES).',
    publicUrl: 'Use an absolute URL such as https://images.example.com (STUDIO_PUBLIC_URL).',
    blobUrl: 'Use s3://bucket or s3://bucket/prefix, or leave it empty for the local data folder (STUDIO_BLOB_URL).',
    s3Endpoint: 'Use an absolute URL such as http://127.0.0.1:9000 (STUDIO_S3_ENDPOINT).',
    imageLinks: 'Use presigned or proxied (STUDIO_IMAGE_LINKS).',
    linkTtlSeconds: 'Use a whole number of seconds from 1 to 604800, 7 days (STUDIO_LINK_TTL_SECONDS).',
    linkSecret: 'Set STUDIO_LINK_SECRET to a long random string.',
    databaseUrl: 'Use a URL such as postgres://user:password@127.0.0.1:5432/studio (STUDIO_DATABASE_URL).',
    databaseListenUrl:
      'Use a URL such as postgres://user:password@127.0.0.1:5432/studio, straight to PostgreSQL (STUDIO_DATABASE_LISTEN_URL).',
    geminiBaseUrl: 'Use an absolute URL (GEMINI_BASE_URL).',
    maxUploadMb:
      'Use a number of megabytes above 0 and at most 2000, the Gemini Files API limit (STUDIO_MAX_UPLOAD_MB).',
    totalConcurrency: 'Use a whole number from 1, for every instance together (STUDIO_TOTAL_CONCURRENCY).',
    leaseSeconds: 'Use a whole number of seconds from 10 to 3600 (STUDIO_LEASE_SECONDS).',
    databasePoolSize: 'Use a whole number of connections from 2 to 1000 (STUDIO_DATABASE_POOL_SIZE).',
    sweepSeconds: 'Use a number of seconds from 1 to 86400 (STUDIO_SWEEP_SECONDS).',
    shutdownGraceSeconds: 'Use a number of seconds from 0 to 3600 (STUDIO_SHUTDOWN_GRACE_SECONDS).',
    auth: 'Use on or off (STUDIO_AUTH).',
    oidcIssuer: 'Use the issuer URL of your OpenID provider, e.g. https://accounts.google.com (STUDIO_OIDC_ISSUER).',
    authSecret: 'Use a random string of at least 32 characters, e.g. openssl rand -hex 32 (STUDIO_AUTH_SECRET).',
  };
  return hints[key] ?? '';
}
