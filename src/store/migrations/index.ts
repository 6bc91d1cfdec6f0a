/**
 * Every schema migration in order, by name, for kysely's migrator (../migrate.ts); the same migrations run on
 * SQLite and PostgreSQL.
 * @module
 */
import type { Migration } from 'kysely/migration';
import { migration0001Images } from './0001_images.js';
import { migration0002Uploads } from './0002_uploads.js';
import { migration0003Pipelines } from './0003_pipelines.js';
import { migration0004Ledger } from './0004_ledger.js';
import { migration0005PipelineCancel } from './0005_pipeline_cancel.js';
import { migration0006AccessTokens } from './0006_access_tokens.js';
import { migration0007LedgerTextCalls } from './0007_ledger_text_calls.js';
import { migration0009LedgerEmulated } from './0009_ledger_emulated.js';
import { migration0011StudioLibrary } from './0011_studio_library.js';
import { migration0012LedgerOutcome } from './0012_ledger_outcome.js';
import { migration0013DeploymentSettings } from './0013_deployment_settings.js';
import { migration0014PipelineRequestIds } from './0014_pipeline_request_ids.js';
import { migration0015AccessList } from './0015_access_list.js';
import { migration0016UserRetention } from './0016_user_retention.js';

/**
 * Every migration, by name. Names sort in the order they must run; never rename or edit one that has
 * shipped, add a new one instead.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_images': migration0001Images,
  '0002_uploads': migration0002Uploads,
  '0003_pipelines': migration0003Pipelines,
  '0004_ledger': migration0004Ledger,
  '0005_pipeline_cancel': migration0005PipelineCancel,
  '0006_access_tokens': migration0006AccessTokens,
  '0007_ledger_text_calls': migration0007LedgerTextCalls,
  '0009_ledger_emulated': migration0009LedgerEmulated,
  '0011_studio_library': migration0011StudioLibrary,
  '0012_ledger_outcome': migration0012LedgerOutcome,
  '0013_deployment_settings': migration0013DeploymentSettings,
  '0014_pipeline_request_ids': migration0014PipelineRequestIds,
  '0015_access_list': migration0015AccessList,
  '0016_user_retention': migration0016UserRetention,
};
