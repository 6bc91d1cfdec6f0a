/**
 * The allow-list in the database for a signed-in server: opened (and read) at start, and re-read before
 * each request that can sign someone in, so an admin's change holds on every instance at the next request.
 * @module
 */
import type { FullConfig } from '../config/config.js';
import type { AccessList } from '../core/accessList.js';
import type { Runtime } from '../server/runtime.js';

export async function startAccessList(config: FullConfig, runtime: Runtime): Promise<AccessList> {
  const [{ AccessList }, store] = await Promise.all([import('../core/accessList.js'), import('../store/index.js')]);
  const database = await runtime.database();
  const access = new AccessList(
    store.createAccessListRepository(database.db as Parameters<typeof store.createAccessListRepository>[0]),
    { allowed: config.allowedEmails, admins: config.adminEmails },
  );
  await access.start();
  return access;
}

/** `handler`, after re-reading the allow-list. */
export function fresh<A extends unknown[], R>(access: AccessList, handler: (...args: A) => Promise<R> | R) {
  return async (...args: A): Promise<R> => {
    await access.refresh();
    return handler(...args);
  };
}
