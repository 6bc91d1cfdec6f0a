import type { Kysely, Selectable } from 'kysely';
import type { LibraryKind, LibraryRepository, LibraryRow } from '../core/library.js';
import type { DB, LibraryItemsTable } from './schema.js';

/** Palettes, styles and templates (`library_items`) behind the core `LibraryRepository` port. Portable SQL only. */
export function createLibraryRepository(db: Kysely<DB>): LibraryRepository {
  return {
    async list(kind, ownerId) {
      const rows = await db
        .selectFrom('library_items')
        .selectAll()
        .where('kind', '=', kind)
        .where((eb) =>
          eb.or([eb.and([eb('scope', '=', 'person'), eb('owner_id', '=', ownerId)]), eb('scope', '=', 'team')]),
        )
        .orderBy('scope', 'asc')
        .orderBy('name', 'asc')
        .execute();
      return rows.map(fromRow);
    },

    async get(id) {
      const row = await db.selectFrom('library_items').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },

    async upsert(row) {
      const byId = await db.selectFrom('library_items').select('id').where('id', '=', row.id).executeTakeFirst();
      if (byId) {
        // Editing an item (its name may change).
        await db
          .updateTable('library_items')
          .set({ name: row.name, body: row.body, updated_at: row.updatedAt })
          .where('id', '=', row.id)
          .execute();
      } else {
        // Saving under a name that exists replaces that item's body.
        await db
          .insertInto('library_items')
          .values(toRow(row))
          .onConflict((oc) =>
            oc
              .columns(['kind', 'scope', 'owner_id', 'name'])
              .doUpdateSet({ body: row.body, updated_at: row.updatedAt }),
          )
          .execute();
      }
      const stored = await db
        .selectFrom('library_items')
        .selectAll()
        .where('kind', '=', row.kind)
        .where('scope', '=', row.scope)
        .where('owner_id', '=', row.ownerId)
        .where('name', '=', row.name)
        .executeTakeFirstOrThrow();
      return fromRow(stored);
    },

    async delete(id) {
      const result = await db.deleteFrom('library_items').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function toRow(row: LibraryRow): LibraryItemsTable {
  return {
    id: row.id,
    kind: row.kind,
    scope: row.scope,
    owner_id: row.ownerId,
    name: row.name,
    body: row.body,
    created_by: row.createdBy,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

function fromRow(row: Selectable<LibraryItemsTable>): LibraryRow {
  return {
    id: row.id,
    kind: row.kind as LibraryKind,
    scope: row.scope,
    ownerId: row.owner_id,
    name: row.name,
    body: row.body,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
