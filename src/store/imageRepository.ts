import { type Kysely, sql } from 'kysely';
import type { ImagePage, ImageRepository, ListImagesQuery } from '../core/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { recordToRow, rowToRecord } from './imageRows.js';
import type { DB } from './schema.js';
import { withOwnersOnce } from './users.js';

const MAX_PAGE = 100;

/** The image table behind the core `ImageRepository` port. Portable SQL only (SQLite and PostgreSQL). */
export function createImageRepository(db: Kysely<DB>): ImageRepository {
  const withOwners = withOwnersOnce(db);
  return {
    async insert(record) {
      const row = recordToRow(record);
      await withOwners([row.owner_id], (d) => d.insertInto('images').values(row).execute());
    },

    async get(id) {
      const row = await db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToRecord(row);
    },

    list: (query) => listImages(db, query),

    async children(id) {
      const rows = await db
        .selectFrom('images')
        .selectAll()
        .where('parent_id', '=', id)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute();
      return rows.map(rowToRecord);
    },

    async delete(id) {
      const result = await db.deleteFrom('images').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async allBlobKeys() {
      const rows = await db.selectFrom('images').select('blob_key').execute();
      return new Set(rows.map((r) => r.blob_key));
    },
  };
}

async function listImages(db: Kysely<DB>, query: ListImagesQuery): Promise<ImagePage> {
  const limit = clampLimit(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  let select = db.selectFrom('images').selectAll();
  if (query.ownerId !== undefined) {
    select = select.where('owner_id', '=', query.ownerId);
  }
  if (query.search !== undefined && query.search !== '') {
    const pattern = `%${escapeLike(query.search)}%`;
    // lower() on both sides instead of ILIKE (PostgreSQL only); the explicit ESCAPE is needed because
    // SQLite has no default escape character.
    select = select.where(sql<boolean>`lower(prompt) like lower(${pattern}) escape '\\'`);
  }
  if (after !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  // One extra row tells whether another page exists without a count query.
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const images = rows.slice(0, limit).map(rowToRecord);
  const last = images.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
  return { images, nextCursor };
}

function clampLimit(limit: number): number {
  return Math.min(MAX_PAGE, Math.max(1, Math.trunc(limit) || 1));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
