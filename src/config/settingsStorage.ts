/**
 * Settings of storage: the data folder, the database, the bucket, image links and allowed folders.
 * @module
 */
import { z } from 'zod';
import { flagUnlessBlank, number, pathList, raw, text } from './envValues.js';
import { setting } from './setting.js';

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL');

/** 7 days: the default lifetime of image links, and the longest S3 allows for a presigned URL. */
export const DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 3600;

export const storageSettings = {
  dataDir: setting({
    schema: z.string().min(1),
    env: ['STUDIO_DATA_DIR'],
    read: raw,
    flag: { name: 'data-dir', type: 'string' },
    doc: {
      default:
        'per-user: `~/.local/share/nanobanana-studio` (Linux), `~/Library/Application Support/nanobanana-studio` (macOS), `%LOCALAPPDATA%\\nanobanana-studio` (Windows)',
      meaning: 'Database (`studio.db`) and images (`images/YYYY/MM/`)',
    },
  }),
  databaseUrl: setting({
    schema: postgresUrl.optional(),
    env: ['STUDIO_DATABASE_URL'],
    read: text,
    hint: 'Use a URL such as postgres://user:password@127.0.0.1:5432/studio (STUDIO_DATABASE_URL).',
    doc: {
      default: 'none (SQLite in the data folder)',
      meaning:
        'PostgreSQL instead (`postgres://user:pass@host:5432/db`); apply migrations first with `nanobanana-studio migrate`, servers refuse an unmigrated database',
    },
  }),
  databasePoolSize: setting({
    schema: z.number().int().min(2).max(1000).optional(),
    env: ['STUDIO_DATABASE_POOL_SIZE'],
    read: number,
    hint: 'Use a whole number of connections from 2 to 1000 (STUDIO_DATABASE_POOL_SIZE).',
    doc: {
      default: 'concurrency + 3',
      meaning:
        "With PostgreSQL: connections of this instance's query pool (the queue and notifications share it); see [Sizing](#several-instances-postgresql-a-bucket-a-load-balancer)",
    },
  }),
  databaseListenUrl: setting({
    schema: postgresUrl.optional(),
    env: ['STUDIO_DATABASE_LISTEN_URL'],
    read: text,
    hint: 'Use a URL such as postgres://user:password@127.0.0.1:5432/studio, straight to PostgreSQL (STUDIO_DATABASE_LISTEN_URL).',
    doc: {
      default: '`STUDIO_DATABASE_URL`',
      meaning:
        'With PostgreSQL: where the one LISTEN connection goes, straight to PostgreSQL when `STUDIO_DATABASE_URL` goes through a transaction-mode pooler',
    },
  }),
  sweepSeconds: setting({
    schema: z.number().min(1).max(86_400),
    default: 60,
    env: ['STUDIO_SWEEP_SECONDS'],
    read: number,
    hint: 'Use a number of seconds from 1 to 86400 (STUDIO_SWEEP_SECONDS).',
    doc: {
      meaning:
        'With PostgreSQL: how often pipelines left queued or running after their job ended are looked for and settled',
    },
  }),
  blobUrl: setting({
    schema: z
      .string()
      .regex(/^s3:\/\//i, 'expected an s3:// URL such as s3://bucket/prefix')
      .optional(),
    env: ['STUDIO_BLOB_URL'],
    read: text,
    hint: 'Use s3://bucket or s3://bucket/prefix, or leave it empty for the local data folder (STUDIO_BLOB_URL).',
    doc: {
      default: 'none (the data folder)',
      meaning:
        '`s3://bucket/prefix`: keep images and uploads in an S3-compatible bucket (AWS S3, Google Cloud Storage, Cloudflare R2, MinIO); region and credentials from the usual AWS settings (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, instance roles). See [S3-compatible storage](#s3-compatible-storage)',
    },
  }),
  s3Endpoint: setting({
    schema: z.url().optional(),
    env: ['STUDIO_S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
    read: text,
    hint: 'Use an absolute URL such as http://127.0.0.1:9000 (STUDIO_S3_ENDPOINT).',
    doc: { default: 'AWS', meaning: 'S3 endpoint for anything but AWS itself' },
  }),
  s3ForcePathStyle: setting({
    schema: z.boolean().optional(),
    env: ['STUDIO_S3_FORCE_PATH_STYLE'],
    read: flagUnlessBlank,
    doc: {
      default: 'on when an endpoint is set',
      meaning: 'Path-style addressing (`endpoint/bucket/key`) instead of `bucket.endpoint/key`',
    },
  }),
  imageLinks: setting({
    schema: z.enum(['presigned', 'proxied']).optional(),
    env: ['STUDIO_IMAGE_LINKS'],
    read: text,
    hint: 'Use presigned or proxied (STUDIO_IMAGE_LINKS).',
    doc: {
      default: '`presigned` with S3, `proxied` otherwise',
      meaning:
        'Image links: `presigned` (direct, time-limited links into the bucket, also over stdio) or `proxied` (`/i/{id}.{ext}` on this HTTP server)',
    },
  }),
  linkTtlSeconds: setting({
    schema: z.number().int().min(1).max(DEFAULT_LINK_TTL_SECONDS),
    default: DEFAULT_LINK_TTL_SECONDS,
    env: ['STUDIO_LINK_TTL_SECONDS'],
    read: number,
    hint: 'Use a whole number of seconds from 1 to 604800, 7 days (STUDIO_LINK_TTL_SECONDS).',
    doc: {
      default: '604800 (7 days, the most S3 allows)',
      meaning: 'Lifetime of presigned links, and of signed `/i/` links',
    },
  }),
  linkSecret: setting({
    schema: z.string().min(16, 'use at least 16 characters (32 random bytes, e.g. openssl rand -hex 32)').optional(),
    env: ['STUDIO_LINK_SECRET'],
    read: text,
    hint: 'Set STUDIO_LINK_SECRET to a long random string.',
    doc: {
      meaning:
        'Key (16+ characters) that signs `/i/` links with an expiry (`?exp=…&sig=…`); unsigned or expired links get 403. Required with S3 and `proxied` links, and give every instance the same one. Without it (local folder), the unguessable image id is the link, as before',
    },
  }),
  allowedRoots: setting({
    schema: z.array(z.string().min(1)),
    default: [],
    env: ['STUDIO_ALLOWED_ROOTS'],
    read: pathList,
    flag: { name: 'allowed-roots', type: 'list', separator: 'path' },
    doc: {
      env: '`STUDIO_ALLOWED_ROOTS` (path-delimiter separated)',
      default: 'your home folder (and the working directory, read only), sensitive places refused',
      meaning:
        "The folders tools may read reference images from and write `output_path` to, instead of the home default; the data folder and the client's MCP roots are always allowed. Symlinks out of them are refused",
    },
  }),
};
