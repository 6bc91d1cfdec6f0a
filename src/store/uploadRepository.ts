import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { UploadRecord, UploadRepository } from '../core/ports.js';
import type { DB, UploadsTable } from './schema.js';
import { ensureUsers } from './users.js';

const MAX_PAGE = 100;

/** The uploads table behind the core `UploadRepository` port. Portable SQL only (SQLite and PostgreSQL). */
export function createUploadRepository(db: Kysely<DB>): UploadRepository {
  /** The owner's uploads, newest first. */
  const owned = (ownerId: string) =>
    db
      .selectFrom('uploads')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc');

  return {
    async insert(record) {
      const row = recordToRow(record);
      await db.transaction().execute(async (trx) => {
        await ensureUsers(trx, [row.owner_id]);
        await trx.insertInto('uploads').values(row).execute();
      });
    },

    async get(id) {
      const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToRecord(row);
    },

    async findBySha256(ownerId, sha256) {
      const row = await owned(ownerId).where('sha256', '=', sha256).executeTakeFirst();
      return row === undefined ? undefined : rowToRecord(row);
    },

    async findByGeminiName(ownerId, geminiName) {
      const row = await owned(ownerId).where('gemini_name', '=', geminiName).executeTakeFirst();
      return row === undefined ? undefined : rowToRecord(row);
    },

    async list({ ownerId, limit }) {
      const rows = await owned(ownerId)
        .limit(Math.min(MAX_PAGE, Math.max(1, Math.trunc(limit) || 1)))
        .execute();
      return rows.map(rowToRecord);
    },

    async updateGemini(id, gemini) {
      await db
        .updateTable('uploads')
        .set({
          gemini_name: gemini?.name ?? null,
          gemini_uri: gemini?.uri ?? null,
          gemini_expires_at: gemini?.expiresAt == null ? null : canonicalTimestamp(gemini.expiresAt),
        })
        .where('id', '=', id)
        .execute();
    },

    async delete(id) {
      const result = await db.deleteFrom('uploads').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

const uploadRowSchema = z.object({
  id: z.string().min(1),
  owner_id: z.string().min(1),
  display_name: z.string(),
  mime_type: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().min(1),
  blob_key: z.string().min(1),
  gemini_name: z.string().nullable(),
  gemini_uri: z.string().nullable(),
  gemini_expires_at: z.string().nullable(),
  created_at: z.string(),
});

/** Rows read back from SQL are checked once here, so core can trust the types. */
function rowToRecord(row: unknown): UploadRecord {
  const parsed = uploadRowSchema.safeParse(row);
  if (!parsed.success) {
    const id = typeof row === 'object' && row !== null && 'id' in row ? String(row.id) : '?';
    throw new Error(`Stored upload ${id} does not match the expected shape: ${z.prettifyError(parsed.error)}`);
  }
  const r = parsed.data;
  return {
    id: r.id,
    ownerId: r.owner_id,
    displayName: r.display_name,
    mimeType: r.mime_type,
    bytes: r.bytes,
    sha256: r.sha256,
    blobKey: r.blob_key,
    geminiName: r.gemini_name,
    geminiUri: r.gemini_uri,
    geminiExpiresAt: r.gemini_expires_at,
    createdAt: r.created_at,
  };
}

function recordToRow(record: UploadRecord): UploadsTable {
  return {
    id: record.id,
    owner_id: record.ownerId,
    display_name: record.displayName,
    mime_type: record.mimeType,
    bytes: record.bytes,
    sha256: record.sha256,
    blob_key: record.blobKey,
    gemini_name: record.geminiName,
    gemini_uri: record.geminiUri,
    gemini_expires_at: record.geminiExpiresAt === null ? null : canonicalTimestamp(record.geminiExpiresAt),
    created_at: canonicalTimestamp(record.createdAt),
  };
}

/** `Date#toISOString` form, so that text order is time order (Gemini sends microseconds). */
function canonicalTimestamp(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`Expected an ISO 8601 timestamp, got ${JSON.stringify(value)}.`);
  return new Date(time).toISOString();
}
