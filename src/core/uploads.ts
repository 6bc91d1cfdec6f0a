/**
 * Uploaded files: images a caller sends once (as bytes, or on stdio as a path) and then names by id
 * (`upl_…`) in `reference_images` and `edit_image`. Each is kept in the blob store, and copied to the
 * Gemini Files API when it is too large to send inline or when asked. Gemini keeps a copy 48 hours; an
 * expired or vanished copy is replaced, transparently, the next time the upload is used.
 * @module
 */
import { createHash } from 'node:crypto';
import { NotFoundError } from './errors.js';
import type { Logger } from './logger.js';
import { extensionForMime } from './mime.js';
import { clearPending, putTracked } from './pendingBlobs.js';
import type { BlobStore, GeminiFiles, ReferenceImage, UploadedFile, UploadRecord, UploadRepository } from './ports.js';
import { type RawUpload, readUpload } from './uploadInput.js';

/** Larger uploads go to the Files API: Gemini refuses requests over 20 MB with inline data. */
export const DEFAULT_INLINE_LIMIT_BYTES = 20_000_000;
/** A Gemini copy that expires sooner than this is replaced before use, so it outlives the request. */
export const DEFAULT_EXPIRY_MARGIN_MS = 60 * 60 * 1000;
/** How long Gemini keeps an uploaded file (reference §8). */
export const GEMINI_FILE_TTL_MS = 48 * 60 * 60 * 1000;

const UPLOAD_ID = /^upl_[A-Za-z0-9]{10,40}$/;

export function looksLikeUploadId(value: string): boolean {
  return UPLOAD_ID.test(value.trim());
}

export interface UploadServiceDeps {
  uploads: UploadRepository;
  blobs: BlobStore;
  files: GeminiFiles;
  log: Logger;
  /** Largest upload, in bytes. */
  maxBytes: number;
  /** Uploads larger than this are sent to Gemini through the Files API rather than inline. Default 20 MB. */
  inlineLimitBytes?: number;
  newUploadId: () => string;
  now?: () => Date;
  /** Default one hour. */
  expiryMarginMs?: number;
}

export interface UploadInput extends RawUpload {
  ownerId: string;
  displayName?: string;
  /** Copy it to the Gemini Files API now, whatever its size. */
  toGemini?: boolean;
  signal?: AbortSignal;
}

export interface UploadResult {
  upload: UploadRecord;
  /** True when the owner had already uploaded these exact bytes: that upload is returned. */
  existing: boolean;
  /** Set when the file was converted to a type Gemini accepts (GIF, AVIF, BMP, TIFF, SVG → PNG). */
  note?: string;
}

export interface UploadService {
  readonly maxBytes: number;
  upload(input: UploadInput): Promise<UploadResult>;
  /** The caller's upload (an admin's: anyone's); the same "not found" for someone else's. */
  get(id: string, caller: string | { ownerId: string; isAdmin?: boolean }): Promise<UploadRecord>;
  list(ownerId: string, limit: number): Promise<UploadRecord[]>;
  /** Deletes the upload, its file and (best effort) its Gemini copy; returns what was deleted. */
  delete(id: string, ownerId: string): Promise<UploadRecord>;
  /** The upload as a reference image for a Gemini request, re-uploading an expired Gemini copy first. */
  referenceFor(id: string, ownerId: string, signal?: AbortSignal): Promise<ReferenceImage>;
  /** Gemini's live metadata of a caller's upload, by Gemini file id (`abc123` or `files/abc123`) or upload id. */
  geminiFile(name: string, ownerId: string): Promise<{ upload: UploadRecord; file: UploadedFile }>;
}

export function createUploadService(deps: UploadServiceDeps): UploadService {
  const now = deps.now ?? (() => new Date());
  const inlineLimit = deps.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
  const margin = deps.expiryMarginMs ?? DEFAULT_EXPIRY_MARGIN_MS;
  const log = deps.log.child({ area: 'uploads' });
  // One refresh per upload at a time: the same upload twice in one request is uploaded once.
  const refreshing = new Map<string, Promise<UploadRecord>>();

  async function get(id: string, caller: string | { ownerId: string; isAdmin?: boolean }): Promise<UploadRecord> {
    const { ownerId, isAdmin } = typeof caller === 'string' ? { ownerId: caller, isAdmin: false } : caller;
    const record = await deps.uploads.get(id.trim());
    if (!record || (record.ownerId !== ownerId && !isAdmin)) {
      throw new NotFoundError(
        `No upload with id "${id.trim()}" (it may have been deleted). Call list_uploads to see your uploads, or upload_file to upload the file again.`,
      );
    }
    return record;
  }

  function ensureOnGemini(record: UploadRecord, signal?: AbortSignal): Promise<UploadRecord> {
    const pending = refreshing.get(record.id);
    if (pending) return pending;
    const next = refresh(record, signal).finally(() => refreshing.delete(record.id));
    refreshing.set(record.id, next);
    return next;
  }

  async function refresh(record: UploadRecord, signal?: AbortSignal): Promise<UploadRecord> {
    const problem = await geminiCopyProblem(record);
    if (problem === undefined) return record;
    const data = await deps.blobs.get(record.blobKey);
    const file = await deps.files.uploadFile({
      data,
      mimeType: record.mimeType,
      displayName: record.displayName,
      ...(signal ? { signal } : {}),
    });
    const expiresAt = file.expiresAt ?? new Date(now().getTime() + GEMINI_FILE_TTL_MS).toISOString();
    await deps.uploads.updateGemini(record.id, { name: file.name, uri: file.uri, expiresAt });
    log.info(
      { id: record.id, reason: problem, geminiName: file.name, previous: record.geminiName ?? undefined },
      problem === 'none' ? 'upload sent to the Gemini Files API' : 'upload re-sent to the Gemini Files API',
    );
    // A copy close to expiry still counts against the project's storage until then.
    if (problem === 'expiring' && record.geminiName) void deleteQuietly(record.geminiName);
    return { ...record, geminiName: file.name, geminiUri: file.uri, geminiExpiresAt: expiresAt };
  }

  /** Why the Gemini copy cannot be used as it is, or `undefined` when it can. */
  async function geminiCopyProblem(record: UploadRecord): Promise<string | undefined> {
    if (!record.geminiName || !record.geminiUri) return 'none';
    const expires = record.geminiExpiresAt === null ? Number.NaN : Date.parse(record.geminiExpiresAt);
    if (expires <= now().getTime()) return 'expired';
    if (expires - margin <= now().getTime()) return 'expiring';
    // Our clock may disagree with Google's, and a copy can be deleted by others: ask Gemini.
    try {
      const file = await deps.files.getFile(record.geminiName);
      if (!file) return 'missing';
      if (file.state === 'FAILED') return 'failed';
      return undefined;
    } catch (error) {
      if (error instanceof NotFoundError) return 'missing';
      throw error;
    }
  }

  async function deleteQuietly(name: string): Promise<void> {
    try {
      await deps.files.deleteFile(name);
    } catch (err) {
      log.warn({ err, geminiName: name }, 'could not delete the Gemini copy of an upload');
    }
  }

  return {
    maxBytes: deps.maxBytes,

    async upload(input) {
      const read = await readUpload(input, deps.maxBytes);
      const mimeType = read.mimeType;
      const sha256 = createHash('sha256').update(read.data).digest('hex');
      const wantsGemini = input.toGemini === true || read.data.length > inlineLimit;
      const existing = await deps.uploads.findBySha256(input.ownerId, sha256);
      if (existing) {
        const upload = wantsGemini ? await ensureOnGemini(existing, input.signal) : existing;
        return { upload, existing: true, ...(read.note ? { note: read.note } : {}) };
      }

      const id = deps.newUploadId();
      const created = now();
      const month = `${created.getUTCFullYear()}/${String(created.getUTCMonth() + 1).padStart(2, '0')}`;
      const blobKey = `uploads/${month}/${id}.${extensionForMime(mimeType)}`;
      const displayName = input.displayName?.trim() || read.defaultName || `upload.${extensionForMime(mimeType)}`;
      // The Gemini copy (slow) first, then the blob, then the row, so that the blob is without its row only
      // for a moment; the blob is journalled meanwhile (pendingBlobs), so a crash leaves nothing behind
      // for long. A failure undoes what was done.
      let file: UploadedFile | undefined;
      try {
        if (wantsGemini) {
          file = await deps.files.uploadFile({
            data: read.data,
            mimeType,
            displayName,
            ...(input.signal ? { signal: input.signal } : {}),
          });
        }
        await putTracked(deps.blobs, blobKey, read.data);
        const record: UploadRecord = {
          id,
          ownerId: input.ownerId,
          displayName,
          mimeType,
          bytes: read.data.length,
          sha256,
          blobKey,
          geminiName: file?.name ?? null,
          geminiUri: file?.uri ?? null,
          geminiExpiresAt: file
            ? (file.expiresAt ?? new Date(created.getTime() + GEMINI_FILE_TTL_MS).toISOString())
            : null,
          createdAt: created.toISOString(),
        };
        await deps.uploads.insert(record);
        await clearPending(deps.blobs, blobKey);
        log.info({ id, bytes: record.bytes, mimeType, geminiName: file?.name }, 'file uploaded');
        return { upload: record, existing: false, ...(read.note ? { note: read.note } : {}) };
      } catch (error) {
        await deps.blobs
          .delete(blobKey)
          .then(() => clearPending(deps.blobs, blobKey))
          .catch((err) => log.warn({ err, blobKey }, 'could not remove an upload blob'));
        if (file) await deleteQuietly(file.name);
        throw error;
      }
    },

    get,

    list: (ownerId, limit) => deps.uploads.list({ ownerId, limit }),

    async delete(id, ownerId) {
      const record = await get(id, ownerId);
      // Row first, then the file: a crash in between leaves only an orphan file.
      await deps.uploads.delete(record.id);
      await deps.blobs.delete(record.blobKey);
      if (record.geminiName) await deleteQuietly(record.geminiName);
      log.info({ id: record.id }, 'upload deleted');
      return record;
    },

    async referenceFor(id, ownerId, signal) {
      const record = await get(id, ownerId);
      if (!record.geminiName && record.bytes <= inlineLimit) {
        return { kind: 'inline', data: await deps.blobs.get(record.blobKey), mimeType: record.mimeType };
      }
      const live = await ensureOnGemini(record, signal);
      return { kind: 'file', uri: live.geminiUri ?? '', mimeType: live.mimeType };
    },

    async geminiFile(name, ownerId) {
      const trimmed = name.trim();
      const geminiName = trimmed.startsWith('files/') ? trimmed : `files/${trimmed}`;
      const upload = looksLikeUploadId(trimmed)
        ? await get(trimmed, ownerId)
        : await deps.uploads.findByGeminiName(ownerId, geminiName);
      if (!upload) {
        throw new NotFoundError(
          `None of your uploads has the Gemini file ${geminiName}. Call list_uploads to see the Gemini names of your uploads.`,
        );
      }
      if (!upload.geminiName) {
        throw new NotFoundError(
          `Upload ${upload.id} has no copy on Gemini: it is small enough to be sent inline. Upload it with to_gemini: true to keep a copy there.`,
        );
      }
      const file = await deps.files.getFile(upload.geminiName).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
      if (!file) {
        throw new NotFoundError(
          `Gemini no longer has ${upload.geminiName} (copies expire after 48 hours). Upload ${upload.id} stays usable: its next use uploads it again.`,
        );
      }
      return { upload, file };
    },
  };
}
