import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/** How many pipelines are queued and running now (every instance sharing the database), for metrics. */
export async function countActivePipelines(db: Kysely<DB>): Promise<{ queued: number; running: number }> {
  const rows = await db
    .selectFrom('pipelines')
    .select(['status', (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('status', 'in', ['queued', 'running'])
    .groupBy('status')
    .execute();
  const of = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { queued: of('queued'), running: of('running') };
}
