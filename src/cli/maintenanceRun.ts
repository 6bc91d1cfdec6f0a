/**
 * One maintenance run over a runtime's database and blob store (the `maintenance` command and the schedule
 * inside `serve`), and that schedule: every STUDIO_MAINTENANCE_HOURS, by one instance at a time when several
 * share a PostgreSQL database (an advisory lock; the others skip that round).
 * @module
 */
import type { OperationsConfig } from '../config/operations.js';
import type { Logger } from '../core/logger.js';
import { telemetry } from '../core/telemetry.js';
import type { Runtime } from '../server/runtime.js';
import type { MaintenancePlan, MaintenanceResult, RetentionPolicy } from '../store/index.js';

export const MAINTENANCE_LOCK = 'nanobanana-studio:maintenance';

export async function runMaintenance(
  runtime: Pick<Runtime, 'database' | 'blobs'>,
  options: { policy: RetentionPolicy; apply: boolean; vacuum?: boolean; now?: Date },
): Promise<{ plan: MaintenancePlan; result?: MaintenanceResult }> {
  const store = await import('../store/index.js');
  const { db } = await runtime.database();
  const kysely = db as Parameters<typeof store.planMaintenance>[0];
  const blobs = await runtime.blobs();
  const plan = await store.planMaintenance(kysely, blobs, {
    policy: options.policy,
    ...(options.now ? { now: options.now } : {}),
    ...(options.vacuum === undefined ? {} : { vacuum: options.vacuum }),
  });
  if (!options.apply) return { plan };
  const result = await store.applyMaintenance(kysely, blobs, plan);
  const t = telemetry();
  t.count('maintenance_removed_total', { kind: 'image' }, result.removedImages.length);
  t.count('maintenance_removed_total', { kind: 'gemini_copy' }, result.forgottenGeminiCopies.length);
  t.count('maintenance_removed_total', { kind: 'orphan_blob' }, result.removedOrphanBlobs.length);
  return { plan, result };
}

/** Runs maintenance every `maintenanceHours` (first after one interval); returns a function that stops it. */
export function scheduleMaintenance(runtime: Runtime, operations: OperationsConfig, log: Logger): () => void {
  if (operations.maintenanceHours <= 0) return () => {};
  const policy: RetentionPolicy = {
    ...(operations.retentionDays === undefined ? {} : { days: operations.retentionDays }),
    ...(operations.retentionGb === undefined ? {} : { gb: operations.retentionGb }),
  };
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const store = await import('../store/index.js');
      const { db } = await runtime.database();
      const done = await store.tryWithAdvisoryLock(db, MAINTENANCE_LOCK, () =>
        runMaintenance(runtime, { policy, apply: true }),
      );
      if (!done) log.info('maintenance skipped: another instance is running it');
      else log.info({ result: done.result }, 'maintenance done');
    } catch (err) {
      log.warn({ err }, 'maintenance failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), operations.maintenanceHours * 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
