/**
 * Storage adapters: the SQL database (a SQLite file in the data folder, or PostgreSQL shared by several
 * instances) with its migrations, repositories and the pipelines' shared queue, and the blob stores (the local
 * folder or an S3-compatible bucket). The only folder that imports kysely, better-sqlite3, pg and the AWS S3
 * client; core reaches it through `core/ports`.
 * @module
 */

export { createAccessListRepository } from './accessListRepository.js';
export { createAccessTokenRepository } from './accessTokenRepository.js';
export { tryWithAdvisoryLock, withAdvisoryLock } from './advisoryLock.js';
export { claimLocalBlobFolder } from './blobFolderClaim.js';
export type { Database, DatabaseOptions, OpenDatabaseOptions } from './database.js';
export { openDatabase, poolSizeFor } from './database.js';
export { IMAGE_ID_PATTERN, newId, newImageId, newUploadId } from './ids.js';
export { createImageRepository } from './imageRepository.js';
export { createSpendingRepository } from './ledgerRepository.js';
export { createLibraryRepository } from './libraryRepository.js';
export type { LocalBlobStore } from './localBlobStore.js';
export { createLocalBlobStore } from './localBlobStore.js';
export type { MaintenancePlan, MaintenanceResult, RetentionPolicy, StorageUse } from './maintenance.js';
export { applyMaintenance, planMaintenance, setUserRetention, storageUse } from './maintenance.js';
export { migrateToLatest, pendingMigrations } from './migrate.js';
export { databaseOptionsFor, openServingDatabase } from './openForConfig.js';
export type { PendingBlobsReport } from './pendingBlobs.js';
export { reconcilePendingBlobs } from './pendingBlobs.js';
export { countActivePipelines } from './pipelineCounts.js';
export type { PipelineRepositoryOptions } from './pipelineRepository.js';
export { createPipelineRepository } from './pipelineRepository.js';
export type { ReconcileOptions, ReconcileReport } from './reconcile.js';
export { RECONCILED_AT_KEY, reconcileIfDue, reconcileStorage } from './reconcile.js';
export type { S3BlobStore, S3BlobStoreOptions } from './s3BlobStore.js';
export { createS3BlobStore, MAX_PRESIGN_SECONDS, parseBlobUrl } from './s3BlobStore.js';
export type { DB } from './schema.js';
export type { SharedPipelines } from './sharedPipelines.js';
export { openSharedPipelines } from './sharedPipelines.js';
export { isTransientDatabaseError } from './transientErrors.js';
export { createUploadRepository } from './uploadRepository.js';
export { createUserSettingsRepository } from './userSettingsRepository.js';
