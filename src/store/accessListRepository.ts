import type { Kysely, Transaction } from 'kysely';
import type { AccessAuditEntry, AccessEntry, AccessListRepository } from '../core/accessList.js';
import { newId } from './ids.js';
import type { AccessListTable, DB } from './schema.js';

/** The allow-list and its audit log; each change and its audit row in one transaction. */
export function createAccessListRepository(db: Kysely<DB>): AccessListRepository {
  const audit = (trx: Transaction<DB>, row: AccessAuditEntry) =>
    trx
      .insertInto('access_audit')
      .values({ id: newId('aud_'), at: row.at, actor: row.actor, action: row.action, email: row.email, role: row.role })
      .execute();
  return {
    async list() {
      const rows = await db.selectFrom('access_list').selectAll().orderBy('email').execute();
      return rows.map(fromRow);
    },

    put(entry) {
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('access_list')
          .selectAll()
          .where('email', '=', entry.email)
          .executeTakeFirst();
        if (existing?.role === entry.role) return undefined;
        if (existing)
          await trx.updateTable('access_list').set({ role: entry.role }).where('email', '=', entry.email).execute();
        else await trx.insertInto('access_list').values(toRow(entry)).execute();
        const action = existing ? 'change' : 'add';
        await audit(trx, { at: entry.addedAt, actor: entry.addedBy, action, email: entry.email, role: entry.role });
        return action;
      });
    },

    remove(email, actor, at) {
      return db.transaction().execute(async (trx) => {
        const deleted = await trx.deleteFrom('access_list').where('email', '=', email).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) return false;
        await audit(trx, { at, actor, action: 'remove', email, role: null });
        return true;
      });
    },

    async audit(limit) {
      const rows = await db
        .selectFrom('access_audit')
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(Math.max(limit, 1), 500))
        .execute();
      return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, email: r.email, role: r.role }));
    },
  };
}

function toRow(e: AccessEntry): AccessListTable {
  return { email: e.email, role: e.role, added_by: e.addedBy, added_at: e.addedAt };
}

function fromRow(r: AccessListTable): AccessEntry {
  return { email: r.email, role: r.role, addedBy: r.added_by, addedAt: r.added_at };
}
