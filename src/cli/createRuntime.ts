/**
 * Wires one server process: logger, optional in-process emulator, Gemini client, storage and studio.
 * @module
 */
import os from 'node:os';
import type { FullConfig } from '../config/config.js';
import { emulatedRegistry } from '../core/emulatedRegistry.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createModelRegistry, type ModelRegistry } from '../core/models.js';
import type { PipelineEngine } from '../core/pipelines/engine.js';
import type { BlobStore } from '../core/ports.js';
import type { Studio } from '../core/studio.js';
import { createStudioLibrary } from '../core/studioLibrary.js';
import { telemetry } from '../core/telemetry.js';
import { withTextLedger } from '../core/textLedger.js';
import { dropQueuedThumbnails } from '../core/thumbnails.js';
import type { Runtime } from '../server/runtime.js';
// Light (no SDK): the setting is checked before anything starts.
import { parseBlobUrl } from '../store/s3BlobStore.js';
import { createLogger } from './logger.js';
import { startModelListRefresh, warnIfDefaultRetired } from './modelListRefresh.js';
import { packageVersion } from './version.js';

/** Pipelines one process runs at once without STUDIO_CONCURRENCY: Gemini's answers bound them (issue 14). */
const LOCAL_QUEUE_DEFAULT_CONCURRENCY = 512;
/** The PostgreSQL queue's workers per instance without STUDIO_CONCURRENCY (each polls the database). */
const SHARED_QUEUE_DEFAULT_CONCURRENCY = 4;

export const EMULATOR_API_KEY = 'emulator-offline-key';

/**
 * Validates what can be validated at once (a bad setting stops the start), then returns; the emulator,
 * Gemini client, database and studio are set up in the background and reached through
 * `runtime.studio()`, so the MCP handshake does not wait for them. A failure there is logged and
 * answers every tool call.
 */
export interface RuntimeOptions {
  /**
   * Resume pipelines a previous server left unfinished. Servers do; a one-shot command line must not, since
   * a server sharing the data folder may be running them right now.
   */
  recoverPipelines?: boolean;
  /**
   * Sweep orphan files and rows in the background after opening (default on). A one-shot command line
   * leaves that to the servers: it would close the database under the sweep.
   */
  reconcileStorage?: boolean;
  /**
   * Read the key's model list in the background, then daily (default on). A one-shot command line goes by
   * the registry's dates (and learns from a 404) instead of spending a call on it.
   */
  readModelList?: boolean;
  /** Keep the text of unexpected errors out of what callers see (public binds). */
  maskErrors?: boolean;
}

export function createRuntime(
  config: FullConfig,
  log: Logger = createLogger(config.logLevel),
  options: RuntimeOptions = {},
): Runtime {
  let registry: ModelRegistry;
  try {
    registry = createModelRegistry(config.models, config.defaultModel);
  } catch (error) {
    throw new ConfigError(`Invalid setting "defaultModel": ${(error as Error).message}`);
  }
  // The emulator's images are free: every price (results, budgets, ledger) comes from this registry.
  if (config.emulator) registry = emulatedRegistry(registry);
  warnIfDefaultRetired(registry, log);
  parseBlobUrl(config.blobUrl);
  if (!config.emulator && !config.apiKey && !config.vertex) {
    log.warn(
      'No Gemini API key is set (GEMINI_API_KEY or GOOGLE_API_KEY). The server runs, and every generation will explain how to set the key. Use --emulator for an offline demo.',
    );
  }
  logKeyChoice(config, log);
  const closers: Array<() => Promise<void>> = [];
  // Deferred one turn so that a request already waiting on stdin is read and answered first.
  const services = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    startServices(config, registry, log, runtime, closers, options),
  );
  services.catch((err) => log.error({ err }, 'the studio could not start'));
  const runtime: Runtime = {
    config,
    log,
    version: packageVersion(),
    studio: () => services.then((s) => s.studio),
    pipelines: () => services.then((s) => s.pipelines),
    blobs: () => services.then((s) => s.blobs),
    database: () => services.then((s) => ({ kind: s.database.kind, db: s.database.db })),
    async drain() {
      const started = await services.catch(() => undefined);
      await started?.pipelines.close();
    },
    async close() {
      await services.catch(() => undefined);
      for (const close of closers.reverse()) await close().catch((err) => log.warn({ err }, 'close failed'));
    },
  };
  return runtime;
}

async function startServices(
  config: FullConfig,
  registry: ModelRegistry,
  log: Logger,
  runtime: Runtime,
  closers: Array<() => Promise<void>>,
  options: RuntimeOptions,
): Promise<{
  studio: Studio;
  pipelines: PipelineEngine;
  blobs: BlobStore;
  database: { kind: 'sqlite' | 'postgres'; db: unknown };
}> {
  // Loaded here, after the handshake, not at start-up.
  const [{ createGeminiClient }, store, { createStudio }, { createUploadService }, { PipelineEngine }] =
    await Promise.all([
      import('../gemini/index.js'),
      import('../store/index.js'),
      import('../core/studio.js'),
      import('../core/uploads.js'),
      import('../core/pipelines/engine.js'),
    ]);
  let baseUrl = config.geminiBaseUrl;
  let apiKey = config.apiKey;
  if (config.emulator) {
    const { startEmulator } = await import('../emulator/index.js');
    const emulator = await startEmulator({ latencyMs: config.emulatorLatencyMs });
    closers.push(() => emulator.close());
    baseUrl = emulator.url;
    apiKey = EMULATOR_API_KEY;
    runtime.emulatorUrl = emulator.url;
    log.warn(
      { emulator: emulator.url },
      'Offline demo: using the built-in Gemini emulator. Images are SYNTHETIC placeholders and cost nothing. Set GEMINI_API_KEY and drop --emulator for real images.',
    );
  }

  const gemini = createGeminiClient({
    apiKey,
    baseUrl,
    vertex: config.vertex,
    timeoutMs: config.geminiTimeoutSeconds * 1000,
    ...(config.concurrency === undefined ? {} : { maxConcurrency: config.concurrency }),
    maxAttempts: config.geminiMaxAttempts,
    log: (event) => {
      const { level, msg, ...rest } = event;
      log.child({ area: 'gemini' })[level](rest, msg);
    },
  });

  if ((options.readModelList ?? true) && (apiKey || config.vertex)) {
    const stop = startModelListRefresh(registry, gemini, log.child({ area: 'models' }));
    closers.push(async () => stop());
  }

  const database = await store.openServingDatabase(config, log.child({ area: 'database' }));
  closers.push(() => database.close());
  const images = store.createImageRepository(database.db);
  if (database.kind === 'postgres' && !config.blobUrl) {
    // Refuses a folder other than the one the database's images are in (another instance's).
    await store.claimLocalBlobFolder(database.db, config.dataDir, new Date().toISOString());
    log.warn(
      { dataDir: config.dataDir },
      'PostgreSQL with images in a local folder: every instance of this database must use this same folder. For instances on several machines, set STUDIO_BLOB_URL to an S3-compatible bucket.',
    );
  }
  const blobs = createBlobStore(config, store, closers);
  // Closers run last first: this one after the pipelines have stopped storing images.
  closers.push(async () => dropQueuedThumbnails(blobs));
  // Restores "no file without its row, no row without its file" after a crash; off the start-up path,
  // and at most once a day (not on every stdio session's start).
  if (options.reconcileStorage ?? true) {
    void store
      .reconcileIfDue({ repo: images, blobs, prefix: 'images/' })
      .then((report) => log.debug({ report: report ?? 'not due' }, 'storage reconciled'))
      .catch((err) => log.warn({ err }, 'storage reconciliation failed'));
    // Uploads and reference bytes a crash left without their row: only the journalled writes are looked at.
    void store
      .reconcilePendingBlobs({ db: database.db, blobs })
      .then((report) => log.debug({ report }, 'interrupted blob writes reconciled'))
      .catch((err) => log.warn({ err }, 'reconciling interrupted blob writes failed'));
  }

  const ledger = store.createSpendingRepository(database.db);
  const studio = createStudio({
    registry,
    generator: gemini,
    images,
    blobs,
    newImageId: store.newImageId,
    log,
    maxReferenceBytes: config.maxReferenceMb * 1_000_000,
    previewEdge: config.previewEdge,
    eagerPreview: config.imageResponses !== 'none',
    uploads: createUploadService({
      uploads: store.createUploadRepository(database.db),
      blobs,
      files: gemini,
      log,
      maxBytes: config.maxUploadMb * 1_000_000,
      newUploadId: store.newUploadId,
    }),
    ledger,
    accessTokens: { repo: store.createAccessTokenRepository(database.db), newId: () => store.newId('pat_') },
    settings: store.createUserSettingsRepository(database.db),
  });
  const instanceId = config.instanceName ?? `${os.hostname()}-${process.pid}`;
  // With PostgreSQL, pipelines go through the shared queue, so any instance may run any of them.
  const shared =
    database.kind === 'postgres' && config.databaseUrl && database.pool
      ? await store.openSharedPipelines(database.db, {
          url: config.databaseListenUrl ?? config.databaseUrl,
          pool: database.pool,
          // The shared queue's workers poll PostgreSQL, so its default stays small.
          concurrency: config.concurrency ?? SHARED_QUEUE_DEFAULT_CONCURRENCY,
          totalConcurrency: config.totalConcurrency,
          leaseSeconds: config.leaseSeconds,
          maxRunSeconds: config.maxPipelineMinutes * 60,
          maxDeliveries: 10,
          log: log.child({ area: 'queue' }),
          instanceId,
        })
      : undefined;
  if (shared) closers.push(() => shared.close());
  const text = withTextLedger(gemini, {
    ledger,
    emulated: config.emulator,
    prices:
      config.emulator || config.textPriceInputPerMillion === undefined || config.textPriceOutputPerMillion === undefined
        ? undefined
        : { inputPerMillion: config.textPriceInputPerMillion, outputPerMillion: config.textPriceOutputPerMillion },
    log: log.child({ area: 'spending' }),
  });
  studio.library = createStudioLibrary({
    repo: store.createLibraryRepository(database.db),
    text,
    textModel: config.textModel,
    newId: () => store.newId('lib_'),
    admit: (ownerId) => studio.spending.admit(ownerId),
  });
  const pipelines = new PipelineEngine({
    repo: store.createPipelineRepository(database.db, { notify: shared?.notify }),
    queue: shared?.queue,
    signals: shared?.signals,
    instanceId,
    graceMs: config.shutdownGraceSeconds * 1000,
    jobs: studio.jobs,
    text,
    textModel: config.textModel,
    styleGuide: config.styleGuide,
    log: log.child({ area: 'pipelines' }),
    // Pipelines mostly wait on Gemini: the key's adaptive limit is what bounds them, this only bounds memory.
    concurrency: config.concurrency ?? LOCAL_QUEUE_DEFAULT_CONCURRENCY,
    maxRunMs: config.maxPipelineMinutes * 60_000,
    maxAttempts: 3,
    newPipelineId: () => store.newId('pl_'),
    spending: studio.spending,
    isTransient: store.isTransientDatabaseError,
    sweepMs: config.sweepSeconds * 1000,
    maskInternalErrors: options.maskErrors === true,
  });
  // Closed before the database (closers run in reverse).
  closers.push(() => pipelines.close());
  // The pipelines this process runs at once (a cap; Gemini calls within it follow the adaptive limit).
  const pipelineSlots =
    config.concurrency ?? (shared ? SHARED_QUEUE_DEFAULT_CONCURRENCY : LOCAL_QUEUE_DEFAULT_CONCURRENCY);
  reportPipelineGauges(config, pipelineSlots, () => store.countActivePipelines(database.db));
  // A one-shot command line takes work too, so its own pipelines run when no server does; in a shared
  // queue whatever it holds when it exits is handed back to the servers.
  await pipelines.start();
  if (options.recoverPipelines ?? true) await pipelines.recover();
  return { studio, pipelines, blobs, database };
}

/** Gauges read at scrape time: the limits in force and the pipelines waiting and running. */
function reportPipelineGauges(
  config: FullConfig,
  pipelineSlots: number,
  count: () => Promise<{ queued: number; running: number }>,
): void {
  const t = telemetry();
  t.sample('concurrency_limit', () => pipelineSlots);
  t.sample('total_concurrency_limit', () => config.totalConcurrency ?? 0);
  t.sample('queue_depth', async () => (await count()).queued);
  t.sample('pipelines_running', async () => (await count()).running);
}

/** The local data folder, or the S3-compatible bucket of `blobUrl`. */
function createBlobStore(
  config: FullConfig,
  store: typeof import('../store/index.js'),
  closers: Array<() => Promise<void>>,
): BlobStore {
  const bucket = store.parseBlobUrl(config.blobUrl);
  if (!bucket) return store.createLocalBlobStore(config.dataDir);
  const s3 = store.createS3BlobStore({
    ...bucket,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle ?? config.s3Endpoint !== undefined,
  });
  closers.push(() => s3.close());
  return s3;
}

/** With both key variables set, say which one is used: GEMINI_API_KEY, as `doctor` says (config.ts reads it first). */
function logKeyChoice(config: FullConfig, log: Logger, env: NodeJS.ProcessEnv = process.env): void {
  const gemini = env.GEMINI_API_KEY?.trim();
  const google = env.GOOGLE_API_KEY?.trim();
  if (config.emulator || !gemini || !google) return;
  log.info(
    gemini === google
      ? 'GEMINI_API_KEY and GOOGLE_API_KEY are both set (the same key); using GEMINI_API_KEY.'
      : 'GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ; using GEMINI_API_KEY (unset GOOGLE_API_KEY to silence this).',
  );
}
