/**
 * The SQL schema as Kysely sees it: snake_case tables and columns, types that mean the same thing in
 * SQLite and PostgreSQL (timestamps as ISO-8601 text, money as double precision, JSON as text).
 * Migrations describe the schema at their own point in time and do not use these types.
 * @module
 */

export interface UsersTable {
  id: string;
  /** Unique when set; several users may have none (local mode, service accounts). */
  email: string | null;
  /** ISO 8601, UTC (`Date#toISOString`). */
  created_at: string;
  default_model: string | null;
}

export interface ImagesTable {
  id: string;
  owner_id: string;
  parent_id: string | null;
  kind: 'generate' | 'edit';
  prompt: string;
  negative_prompt: string | null;
  model_id: string;
  model_alias: string;
  image_size: string;
  aspect_ratio: string;
  width: number;
  height: number;
  mime_type: string;
  bytes: number;
  blob_key: string;
  prompt_tokens: number;
  image_tokens: number;
  thoughts_tokens: number;
  total_tokens: number;
  cost_usd: number;
  /** ISO 8601, UTC, always in `Date#toISOString` form so text order is time order. */
  created_at: string;
  /** JSON text. */
  history: string | null;
  /** JSON text. */
  options: string;
}

export interface DB {
  users: UsersTable;
  images: ImagesTable;
  uploads: UploadsTable;
  pipelines: PipelinesTable;
  concepts: ConceptsTable;
  ledger: LedgerTable;
  spend_reservations: SpendReservationsTable;
  budgets: BudgetsTable;
  request_log: RequestLogTable;
  access_tokens: AccessTokensTable;
  library_items: LibraryItemsTable;
  deployment_settings: DeploymentSettingsTable;
}

/** Palettes, styles and prompt templates people keep (migration 0011). */
export interface LibraryItemsTable {
  id: string;
  kind: string;
  scope: 'person' | 'team';
  /** The person; empty for team items. */
  owner_id: string;
  name: string;
  /** JSON text. */
  body: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** Facts every instance of one database agrees on, by key (e.g. `local_blob_folder`). */
export interface DeploymentSettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface AccessTokensTable {
  id: string;
  owner_id: string;
  email: string;
  name: string;
  /** Hex SHA-256 of the secret. */
  secret_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface PipelinesTable {
  id: string;
  owner_id: string;
  kind: 'image' | 'concepts';
  batch_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  stage: string | null;
  progress_percent: number;
  /** JSON text: the stage records. */
  stages: string;
  /** JSON text: what the pipeline does. */
  input: string;
  result_image_id: string | null;
  error: string | null;
  error_code: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested_at: string | null;
  run_by: string | null;
}

export interface ConceptsTable {
  id: string;
  pipeline_id: string;
  owner_id: string;
  conversation_id: string;
  request: string;
  title: string;
  refined_prompt: string;
  /** JSON text: string[]. */
  keywords: string;
  created_at: string;
}

export interface UploadsTable {
  id: string;
  owner_id: string;
  display_name: string;
  mime_type: string;
  bytes: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  blob_key: string;
  /** `files/<id>` on the Gemini Files API, when there is a copy there. */
  gemini_name: string | null;
  gemini_uri: string | null;
  /** ISO 8601. */
  gemini_expires_at: string | null;
  /** ISO 8601, UTC, in `Date#toISOString` form. */
  created_at: string;
}

/** One billed Gemini image call; rows are never updated or deleted. */
export interface LedgerTable {
  /** The id of the reservation the call settled. */
  id: string;
  owner_id: string;
  kind: 'generate' | 'edit' | 'enhance' | 'text';
  model_id: string;
  model_alias: string;
  image_size: string | null;
  prompt_tokens: number;
  image_tokens: number;
  thoughts_tokens: number;
  total_tokens: number;
  cost_usd: number;
  pipeline_id: string | null;
  image_id: string | null;
  /** ISO 8601, UTC, in `Date#toISOString` form. */
  created_at: string;
  /** 1 when the built-in emulator answered the call (synthetic, free), else 0. */
  emulated: number;
  /** Null for a call that returned; `aborted`, `handed-back` or `interrupted` for one whose answer never came. */
  outcome: string | null;
}

/** A billed call in flight: counts against the budgets until settled or expired. */
export interface SpendReservationsTable {
  id: string;
  owner_id: string;
  estimate_usd: number;
  call_key: string | null;
  created_at: string;
  expires_at: string;
}

export interface BudgetsTable {
  owner_id: string;
  daily_usd: number | null;
  monthly_usd: number | null;
  requests_per_minute: number | null;
  updated_at: string;
}

/** Requests of the last minute, per owner, for the rate limit (older rows are pruned). */
export interface RequestLogTable {
  id: string;
  owner_id: string;
  created_at: string;
}
