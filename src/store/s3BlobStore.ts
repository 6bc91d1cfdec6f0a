/**
 * A blob store in an S3-compatible bucket: AWS S3, Google Cloud Storage (S3 interoperability), Cloudflare
 * R2, MinIO. Keys are the same relative POSIX paths as in the local store, under an optional prefix. The
 * AWS SDK is imported on first use, so a server that never touches the bucket never loads it.
 * @module
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, NotFoundError } from '../core/errors.js';
import type { BlobStore } from '../core/ports.js';
import { assertValidKey, assertValidPrefix } from './blobKeys.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Folder inside the bucket, `''` or ending in `/` (e.g. `studio/`). */
  prefix: string;
  /** For anything but AWS itself (`https://<account>.r2.cloudflarestorage.com`, `http://127.0.0.1:9000`). */
  endpoint?: string;
  /** Default: the SDK's chain (AWS_REGION, the shared config file). */
  region?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO and most emulators). */
  forcePathStyle?: boolean;
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance roles, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Keys per ListObjectsV2 page (default: the service's, 1000 on S3). */
  listPageSize?: number;
}

/** An S3 store also hands out direct, time-limited links, and has a client to close. */
export interface S3BlobStore extends BlobStore {
  readonly bucket: string;
  readonly prefix: string;
  /** A presigned GET URL of the object, valid `ttlSeconds` (SigV4 allows at most 7 days). */
  presignedUrl(key: string, ttlSeconds: number): Promise<string>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/** The longest lifetime SigV4 allows a presigned URL. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Objects never change once written (a new image gets a new id), so caches may keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/avif',
  json: 'application/json',
};

export function contentTypeForKey(key: string): string {
  const ext = key.includes('.') ? (key.split('.').pop() ?? '').toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * Parses `STUDIO_BLOB_URL`: `s3://bucket` or `s3://bucket/prefix`. Returns `undefined` for an empty value
 * (the local data folder). Errors name the setting.
 */
export function parseBlobUrl(value: string | undefined): { bucket: string; prefix: string } | undefined {
  const raw = value?.trim() ?? '';
  if (raw === '') return undefined;
  const fail = (problem: string): never => {
    throw new ConfigError(
      `Invalid setting "blobUrl" (STUDIO_BLOB_URL=${JSON.stringify(raw)}): ${problem}. Use s3://bucket or s3://bucket/prefix, or leave it empty for the local data folder.`,
    );
  };
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?([?#].*)?$/.exec(raw);
  if (!match) return fail('it is not a URL');
  const [, scheme = '', bucket = '', path = '', extra] = match;
  if (scheme.toLowerCase() !== 's3') return fail(`the scheme ${scheme}:// is not supported, only s3://`);
  if (extra) return fail('it has a query or fragment');
  if (bucket === '') return fail('the bucket name is missing');
  if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    return fail(
      `the bucket name ${JSON.stringify(bucket)} is not valid (3 to 63 lower-case letters, digits, dots and hyphens)`,
    );
  }
  let prefix = path.replace(/^\/+/, '');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  try {
    assertValidPrefix(prefix);
  } catch (error) {
    return fail(`the prefix is not valid: ${(error as Error).message}`);
  }
  return { bucket, prefix };
}

type S3Module = typeof import('@aws-sdk/client-s3');

export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  const { bucket } = options;
  const prefix = options.prefix;
  assertValidPrefix(prefix);
  if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`The S3 prefix ${JSON.stringify(prefix)} must end in /.`);

  let loaded: Promise<{ sdk: S3Module; client: S3Client }> | undefined;
  const load = () => {
    loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        // The default CRC checksums are not understood by every S3-compatible service (GCS, older MinIO).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    }));
    return loaded;
  };
  const objectKey = (key: string): string => {
    assertValidKey(key);
    return `${prefix}${key}`;
  };

  return {
    bucket,
    prefix,

    // A PUT is atomic: readers see the old object, none, or the whole new one. No temporary objects.
    async put(key, data) {
      const Key = objectKey(key);
      const { sdk, client } = await load();
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key,
          Body: data,
          ContentType: contentTypeForKey(key),
          CacheControl: IMMUTABLE,
        }),
      );
    },

    async get(key) {
      const Key = objectKey(key);
      const { sdk, client } = await load();
      try {
        const response = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key }));
        if (!response.Body) throw new Error(`S3 returned no body for ${Key}.`);
        return Buffer.from(await response.Body.transformToByteArray());
      } catch (error) {
        if (isMissing(error)) {
          // Core sees the same error whatever the backend.
          throw new NotFoundError(`The image file ${key} is missing from storage.`, { cause: error });
        }
        throw error;
      }
    },

    async exists(key) {
      const Key = objectKey(key);
      const { sdk, client } = await load();
      try {
        await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },

    async delete(key) {
      const Key = objectKey(key);
      const { sdk, client } = await load();
      // S3 answers 204 whether or not the object existed.
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key }));
    },

    localPath: () => undefined,

    async *list(listPrefix) {
      assertValidPrefix(listPrefix);
      const { sdk, client } = await load();
      let token: string | undefined;
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${prefix}${listPrefix}`,
            ...(token === undefined ? {} : { ContinuationToken: token }),
            ...(options.listPageSize === undefined ? {} : { MaxKeys: options.listPageSize }),
          }),
        );
        for (const object of page.Contents ?? []) {
          const key = object.Key?.slice(prefix.length);
          // Folder markers and names the studio would never write are not its blobs.
          if (key === undefined || !isValidKey(key)) continue;
          yield { key, modifiedAt: object.LastModified ?? new Date(0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },

    async presignedUrl(key, ttlSeconds) {
      const Key = objectKey(key);
      const expiresIn = Math.max(1, Math.min(Math.floor(ttlSeconds), MAX_PRESIGN_SECONDS));
      const [{ sdk, client }, { getSignedUrl }] = await Promise.all([load(), import('@aws-sdk/s3-request-presigner')]);
      return getSignedUrl(client, new sdk.GetObjectCommand({ Bucket: bucket, Key }), { expiresIn });
    },

    async close() {
      if (loaded) (await loaded.catch(() => undefined))?.client.destroy();
    },
  };
}

function isValidKey(key: string): boolean {
  try {
    assertValidKey(key);
    return true;
  } catch {
    return false;
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
