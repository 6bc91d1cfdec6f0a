/**
 * Settings of the HTTP server, of pipelines (prompt engineering, concurrency, time limits, leases), of sign-in
 * and of logs.
 * @module
 */
import { z } from 'zod';
import { DEFAULT_TEXT_MODEL } from '../core/models.js';
import { commaList, emails, flag, number, raw, text } from './envValues.js';
import { setting } from './setting.js';

export const serverSettings = {
  host: setting({
    schema: z.string().min(1),
    default: '127.0.0.1',
    env: ['STUDIO_HOST'],
    read: raw,
    flag: { name: 'host', type: 'string' },
    doc: { meaning: 'HTTP bind address' },
  }),
  port: setting({
    schema: z.number().int().min(0).max(65535),
    default: 8766,
    env: ['STUDIO_PORT'],
    read: number,
    flag: { name: 'port', type: 'number' },
    hint: 'Use a number from 0 to 65535 (--port, STUDIO_PORT).',
    doc: { meaning: 'HTTP port; 0 picks a free one (the URL is printed on stderr)' },
  }),
  publicUrl: setting({
    schema: z.url().optional(),
    env: ['STUDIO_PUBLIC_URL'],
    read: raw,
    flag: { name: 'public-url', type: 'string' },
    hint: 'Use an absolute URL such as https://images.example.com (STUDIO_PUBLIC_URL).',
    doc: { default: 'the bound URL', meaning: 'Base URL for image links' },
  }),
  allowedHosts: setting({
    schema: z.array(z.string().min(1)),
    default: [],
    env: ['STUDIO_ALLOWED_HOSTS'],
    read: commaList,
    flag: { name: 'allowed-hosts', type: 'list', separator: ',' },
    doc: { default: 'localhost names', meaning: 'Host names accepted (DNS-rebinding protection)' },
  }),
  allowedOrigins: setting({
    schema: z.array(z.string().min(1)),
    default: [],
    env: ['STUDIO_ALLOWED_ORIGINS'],
    read: commaList,
    flag: { name: 'allowed-origins', type: 'list', separator: ',' },
    doc: {
      default: 'own and localhost origins',
      meaning: 'Browser origins allowed to call `/mcp` (CORS); any other `Origin` gets 403',
    },
  }),
  maxRequestBodyMb: setting({
    schema: z.number().positive().max(1024),
    default: 64,
    env: ['STUDIO_MAX_REQUEST_BODY_MB'],
    read: number,
    doc: {
      meaning:
        'Largest request body to /mcp (read only after the bearer token is checked, with sign-in on). Every other route has its own small limit: 8 KB for OAuth token requests, 16 KB for registration, consent, sign-in and dashboard forms, 1 KB elsewhere (413 beyond)',
    },
  }),
  autoStyle: setting({
    schema: z.boolean(),
    default: true,
    env: ['STUDIO_AUTO_STYLE'],
    read: flag,
    doc: { meaning: 'Default of `auto_style`: rewrite raw prompts with the text model first' },
  }),
  styleGuide: setting({
    schema: z.string().optional(),
    env: ['STUDIO_STYLE_GUIDE'],
    read: text,
    doc: { meaning: 'Style guide the prompt engineer and the architect follow (text, or `@/path/to/file`)' },
  }),
  textModel: setting({
    schema: z.string().min(1),
    default: DEFAULT_TEXT_MODEL,
    env: ['STUDIO_TEXT_MODEL'],
    read: text,
    doc: { meaning: 'Text model for prompt engineering and concepts' },
  }),
  textPriceInputPerMillion: setting({
    schema: z.number().min(0).max(1000).optional(),
    env: ['STUDIO_TEXT_PRICE_INPUT_PER_M'],
    read: number,
    doc: {
      default: 'none (cost 0)',
      meaning: "The text model's list price in USD per million input tokens, for the ledger",
    },
  }),
  textPriceOutputPerMillion: setting({
    schema: z.number().min(0).max(1000).optional(),
    env: ['STUDIO_TEXT_PRICE_OUTPUT_PER_M'],
    read: number,
    doc: {
      default: 'none (cost 0)',
      meaning: "The text model's list price in USD per million output tokens, for the ledger",
    },
  }),
  concurrency: setting({
    schema: z.number().int().min(1).max(1024).optional(),
    env: ['STUDIO_CONCURRENCY'],
    read: number,
    doc: {
      default: 'adaptive (4 with PostgreSQL)',
      meaning:
        "Optional cap on pipelines running at once in this process, and on Gemini calls in flight per model; unset, Gemini's 429/503 answers set the pace",
    },
  }),
  syncLimitSeconds: setting({
    schema: z.number().min(0).max(3600),
    default: 180,
    env: ['STUDIO_SYNC_LIMIT_SECONDS'],
    read: number,
    doc: { meaning: 'How long `generate_image` waits before handing over to `get_image`' },
  }),
  maxPipelineMinutes: setting({
    schema: z
      .number()
      .positive()
      .max(24 * 60),
    default: 15,
    env: ['STUDIO_MAX_PIPELINE_MINUTES'],
    read: number,
    doc: { meaning: 'Longest run of one pipeline before it is stopped' },
  }),
  totalConcurrency: setting({
    schema: z.number().int().min(1).max(10_000).optional(),
    env: ['STUDIO_TOTAL_CONCURRENCY'],
    read: number,
    hint: 'Use a whole number from 1, for every instance together (STUDIO_TOTAL_CONCURRENCY).',
    doc: { meaning: 'With PostgreSQL: pipelines running at once across every instance' },
  }),
  leaseSeconds: setting({
    schema: z.number().int().min(10).max(3600),
    default: 30,
    env: ['STUDIO_LEASE_SECONDS'],
    read: number,
    hint: 'Use a whole number of seconds from 10 to 3600 (STUDIO_LEASE_SECONDS).',
    doc: {
      meaning: 'With PostgreSQL: a pipeline whose instance went silent this long (at least 10 s) is run by another',
    },
  }),
  shutdownGraceSeconds: setting({
    schema: z.number().min(0).max(3600),
    default: 20,
    env: ['STUDIO_SHUTDOWN_GRACE_SECONDS'],
    read: number,
    hint: 'Use a number of seconds from 0 to 3600 (STUDIO_SHUTDOWN_GRACE_SECONDS).',
    doc: {
      meaning:
        'On SIGTERM (or stdin closing), how long running pipelines may finish before they are handed back (or left to resume on the next start)',
    },
  }),
  auth: setting({
    schema: z.enum(['on', 'off']).optional(),
    env: ['STUDIO_AUTH'],
    read: raw,
    hint: 'Use on or off (STUDIO_AUTH).',
    doc: {
      default: 'off on loopback, on elsewhere',
      meaning:
        'Sign-in for MCP clients over HTTP (`on`/`off`); see [Team server](#team-server-sign-in-with-google-or-any-openid-provider)',
    },
  }),
  allowUnauthenticated: setting({
    schema: z.boolean(),
    default: false,
    env: ['STUDIO_ALLOW_UNAUTHENTICATED'],
    read: flag,
    flag: { name: 'allow-unauthenticated', type: 'boolean' },
    doc: { meaning: 'Allow `STUDIO_AUTH=off` on a non-loopback address' },
  }),
  allowedEmails: setting({
    schema: z.array(z.string().min(3)),
    default: [],
    env: ['STUDIO_ALLOWED_EMAILS'],
    read: emails,
    doc: {
      env: '`STUDIO_ALLOWED_EMAILS` (comma-separated)',
      meaning: 'Who may sign in (case-insensitive, verified emails only)',
    },
  }),
  adminEmails: setting({
    schema: z.array(z.string().min(3)),
    default: [],
    env: ['STUDIO_ADMIN_EMAILS'],
    read: emails,
    doc: { meaning: "Who sees everyone's images, pipelines and costs" },
  }),
  oidcIssuer: setting({
    schema: z.url(),
    default: 'https://accounts.google.com',
    env: ['STUDIO_OIDC_ISSUER'],
    read: text,
    hint: 'Use the issuer URL of your OpenID provider, e.g. https://accounts.google.com (STUDIO_OIDC_ISSUER).',
    doc: { meaning: 'The OpenID provider people sign in with (discovery)' },
  }),
  oidcClientId: setting({
    schema: z.string().min(1).optional(),
    env: ['STUDIO_OIDC_CLIENT_ID'],
    read: text,
    doc: { meaning: "The id of the studio's OAuth client at that provider" },
  }),
  oidcClientSecret: setting({
    schema: z.string().min(1).optional(),
    env: ['STUDIO_OIDC_CLIENT_SECRET'],
    read: text,
    doc: { meaning: "The secret of the studio's OAuth client at that provider" },
  }),
  authSecret: setting({
    schema: z.string().min(32).optional(),
    env: ['STUDIO_AUTH_SECRET'],
    read: text,
    hint: 'Use a random string of at least 32 characters, e.g. openssl rand -hex 32 (STUDIO_AUTH_SECRET).',
    doc: { meaning: '32+ random characters signing sessions and tokens; stable, the same on every instance' },
  }),
  accessTokenSeconds: setting({
    schema: z.number().int().min(5).max(86_400),
    default: 600,
    env: ['STUDIO_ACCESS_TOKEN_SECONDS'],
    read: number,
    doc: { meaning: 'Lifetime of MCP access tokens' },
  }),
  clientMetadataPrivateHosts: setting({
    schema: z.boolean(),
    default: false,
    env: ['STUDIO_CLIENT_METADATA_PRIVATE_HOSTS'],
    read: flag,
    doc: {
      meaning: 'Also fetch client-ID metadata documents from loopback and private-network hosts (development only)',
    },
  }),
  instanceName: setting({
    schema: z.string().min(1).max(100).optional(),
    env: ['STUDIO_INSTANCE_NAME'],
    read: text,
    doc: {
      default: 'host name and process id',
      meaning: "This instance's name in logs and in the pipelines it ran",
    },
  }),
  logLevel: setting({
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    env: ['STUDIO_LOG_LEVEL'],
    read: raw,
    flag: { name: 'log-level', type: 'string' },
    doc: {
      meaning:
        'Logs go to stderr; stdout carries only the protocol. Readable lines when stderr is a terminal, JSON lines otherwise (`STUDIO_LOG_FORMAT=json` or `pretty` forces one)',
    },
  }),
};
