import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { z } from 'zod';
import type {
  ConceptRecord,
  PipelineRecord,
  PipelineRepository,
  PipelineUpdate,
  StageRecord,
} from '../core/pipelines/types.js';
import type { ConceptsTable, DB, PipelinesTable } from './schema.js';
import { withOwnersOnce } from './users.js';

const UNFINISHED = ['queued', 'running'] as const;

export interface PipelineRepositoryOptions {
  /**
   * On PostgreSQL, announce changes of state (and progress when asked) on this LISTEN/NOTIFY channel in
   * the same statement as the change (no extra round trip), so long-polls on other instances wake at once.
   */
  notify?: { channel: string; instanceId: string };
}

/** Pipelines and concepts behind the core `PipelineRepository` port. Portable SQL, plus NOTIFY on PostgreSQL. */
export function createPipelineRepository(db: Kysely<DB>, options: PipelineRepositoryOptions = {}): PipelineRepository {
  const notify = db.getExecutor().adapter instanceof PostgresAdapter ? options.notify : undefined;
  /** The update, and (on PostgreSQL with `notify`) its announcement, in one statement. */
  async function updateWhere(
    id: string,
    statuses: readonly PipelinesTable['status'][] | undefined,
    update: PipelineUpdate,
    now: string,
    announceProgress = false,
  ): Promise<PipelineRecord | undefined> {
    let query = db
      .updateTable('pipelines')
      .set({ ...updateToRow(update), updated_at: now })
      .where('id', '=', id);
    if (statuses) query = query.where('status', 'in', statuses);
    // Every NOTIFY reaches every listening instance: announce changes of state, and progress only when
    // someone follows it (a NOTIFY makes the commit serialize with every other notifying commit).
    if (!notify || (update.status === undefined && !announceProgress)) {
      const row = await query.returningAll().executeTakeFirst();
      return row && fromRow(row);
    }
    const row = await db
      .with('changed', () => query.returningAll())
      .selectFrom('changed')
      .selectAll()
      .select(
        sql<string>`pg_notify(${notify.channel}, json_build_object('id', changed.id, 'status', changed.status, 'updatedAt', changed.updated_at, 'from', ${notify.instanceId}::text)::text)`.as(
          'notified',
        ),
      )
      .executeTakeFirst();
    return row && fromRow(row);
  }

  const withOwners = withOwnersOnce(db);
  return {
    async insert(records) {
      if (records.length === 0) return;
      await withOwners(
        records.map((r) => r.ownerId),
        (d) => d.insertInto('pipelines').values(records.map(toRow)).execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },

    async update(id, update, now, announceProgress) {
      const record = await updateWhere(id, undefined, update, now, announceProgress);
      if (!record) throw new Error(`No pipeline ${id} to update.`);
      return record;
    },

    updateIf(id, statuses, update, now) {
      return updateWhere(id, statuses, update, now);
    },

    async getMany(ids) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('pipelines').selectAll().where('id', 'in', ids).execute();
      return rows.map(fromRow);
    },

    async countUnfinished(ownerId) {
      const row = await db
        .selectFrom('pipelines')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('owner_id', '=', ownerId)
        .where('status', 'in', UNFINISHED)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async listUnfinished() {
      const rows = await db
        .selectFrom('pipelines')
        .selectAll()
        .where('status', 'in', UNFINISHED)
        .orderBy('created_at', 'asc')
        .execute();
      return rows.map(fromRow);
    },

    async listByOwner(ownerId, limit) {
      let query = db.selectFrom('pipelines').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      return (await query.limit(Math.min(Math.max(limit, 1), 200)).execute()).map(fromRow);
    },

    async insertConcepts(concepts) {
      if (concepts.length === 0) return;
      await db.insertInto('concepts').values(concepts.map(conceptToRow)).execute();
    },

    async getConcept(id) {
      const row = await db.selectFrom('concepts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && conceptFromRow(row);
    },

    async conceptsOfConversation(conversationId, ownerId) {
      const rows = await db
        .selectFrom('concepts')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('owner_id', '=', ownerId)
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .execute();
      return rows.map(conceptFromRow);
    },
  };
}

const stagesSchema = z.array(
  z.object({
    name: z.enum(['architect', 'engineer-prompt', 'generate', 'enhance-image', 'colour-adjust', 'store']),
    state: z.enum(['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled']),
    progress: z.number(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    output: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
  }),
);

function toRow(r: PipelineRecord): PipelinesTable {
  return {
    id: r.id,
    owner_id: r.ownerId,
    kind: r.kind,
    batch_id: r.batchId,
    status: r.status,
    stage: r.stage,
    progress_percent: r.progressPercent,
    stages: JSON.stringify(r.stages),
    input: r.input,
    result_image_id: r.resultImageId,
    error: r.error,
    error_code: r.errorCode,
    attempts: r.attempts,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    cancel_requested_at: r.cancelRequestedAt,
    run_by: r.runBy,
    request_id: r.requestId ?? null,
    trace_parent: r.traceParent ?? null,
  };
}

function fromRow(row: PipelinesTable): PipelineRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    kind: row.kind,
    batchId: row.batch_id,
    status: row.status,
    stage: (row.stage as StageRecord['name'] | null) ?? null,
    progressPercent: Number(row.progress_percent),
    // Validated at this edge: core trusts the shape.
    stages: stagesSchema.parse(JSON.parse(row.stages)) as StageRecord[],
    input: row.input,
    resultImageId: row.result_image_id,
    error: row.error,
    errorCode: row.error_code,
    attempts: Number(row.attempts),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    cancelRequestedAt: row.cancel_requested_at ?? null,
    runBy: row.run_by ?? null,
    requestId: row.request_id ?? null,
    traceParent: row.trace_parent ?? null,
  };
}

function updateToRow(u: PipelineUpdate): Partial<PipelinesTable> {
  const row: Partial<PipelinesTable> = {};
  if (u.status !== undefined) row.status = u.status;
  if (u.stage !== undefined) row.stage = u.stage;
  if (u.progressPercent !== undefined) row.progress_percent = Math.round(u.progressPercent);
  if (u.stages !== undefined) row.stages = JSON.stringify(u.stages);
  if (u.resultImageId !== undefined) row.result_image_id = u.resultImageId;
  if (u.error !== undefined) row.error = u.error;
  if (u.errorCode !== undefined) row.error_code = u.errorCode;
  if (u.attempts !== undefined) row.attempts = u.attempts;
  if (u.startedAt !== undefined) row.started_at = u.startedAt;
  if (u.finishedAt !== undefined) row.finished_at = u.finishedAt;
  if (u.cancelRequestedAt !== undefined) row.cancel_requested_at = u.cancelRequestedAt;
  if (u.runBy !== undefined) row.run_by = u.runBy;
  return row;
}

function conceptToRow(c: ConceptRecord): ConceptsTable {
  return {
    id: c.id,
    pipeline_id: c.pipelineId,
    owner_id: c.ownerId,
    conversation_id: c.conversationId,
    request: c.request,
    title: c.title,
    refined_prompt: c.refinedPrompt,
    keywords: JSON.stringify(c.keywords),
    created_at: c.createdAt,
  };
}

function conceptFromRow(row: ConceptsTable): ConceptRecord {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    ownerId: row.owner_id,
    conversationId: row.conversation_id,
    request: row.request,
    title: row.title,
    refinedPrompt: row.refined_prompt,
    keywords: z.array(z.string()).parse(JSON.parse(row.keywords)),
    createdAt: row.created_at,
  };
}
