/**
 * The interfaces through which core reaches Gemini and storage. `src/gemini/` and `src/store/` implement
 * them; core never imports those folders' modules directly (only these types).
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Gemini
// ---------------------------------------------------------------------------------------------

/** A JSON-safe Gemini `Content` (`{role, parts}`), kept verbatim for multi-turn editing. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** A JSON-safe Gemini part. Only the fields we send or keep are typed; others are carried through. */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { fileUri: string; mimeType: string };
  [key: string]: unknown;
}

export type ReferenceImage =
  | { kind: 'inline'; data: Buffer; mimeType: string }
  | { kind: 'file'; uri: string; mimeType: string };

export interface GenerateImageRequest {
  /** Wire id, e.g. `gemini-3.1-flash-image`. */
  model: string;
  prompt: string;
  negativePrompt?: string;
  systemInstruction?: string;
  aspectRatio?: string;
  /** Wire value (`512`, `1K`, `2K`, `4K`); omitted for models that take no size. */
  imageSize?: string;
  referenceImages?: ReferenceImage[];
  /** Wire value, upper case (`MINIMAL`, `HIGH`, …). */
  thinkingLevel?: string;
  /** Ask for Google Search grounding (`tools: [{googleSearch: {}}]`). */
  grounding?: boolean;
  /** Earlier turns of this image's conversation, sent before the new user turn (multi-turn edit). */
  history?: GeminiContent[];
  seed?: number;
  signal?: AbortSignal;
  /** Called before each attempt after the first, with the delay about to be waited. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface TokenUsage {
  promptTokens: number;
  /** Output tokens of modality IMAGE (the billed image tokens). */
  imageTokens: number;
  /** All candidate (output) tokens, text and image. */
  candidatesTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
}

export interface GroundingSource {
  uri: string;
  title?: string;
}

export interface GenerateImageResult {
  /** The final (non-thought) image. */
  data: Buffer;
  /** The real type, sniffed from the bytes (`image/jpeg`, `image/png`, `image/webp`). */
  mimeType: string;
  /** What Gemini said the type was (Gemini 3 labels JPEG bytes `image/png`). */
  declaredMimeType: string;
  /** Non-thought text the model said alongside the image, if any. */
  text?: string;
  usage: TokenUsage;
  /**
   * The conversation to continue from this image: the request's history, the user turn just sent and
   * the model turn received (thought text and signatures kept, thought images dropped).
   */
  history: GeminiContent[];
  modelVersion?: string;
  responseId?: string;
  groundingSources?: GroundingSource[];
  /** How many attempts the call took (1 when the first succeeded). */
  attempts: number;
}

export interface UploadedFile {
  /** `files/<id>` */
  name: string;
  uri: string;
  mimeType: string;
  sizeBytes: number;
  expiresAt?: string;
  state?: string;
}

export interface ImageGenerator {
  generateImage(request: GenerateImageRequest): Promise<GenerateImageResult>;
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

export interface ImageRecord {
  id: string;
  ownerId: string;
  parentId: string | null;
  kind: 'generate' | 'edit';
  prompt: string;
  negativePrompt: string | null;
  modelId: string;
  modelAlias: string;
  imageSize: string;
  aspectRatio: string;
  width: number;
  height: number;
  mimeType: string;
  bytes: number;
  /** Key of the image in the blob store, e.g. `images/2026/11/<id>.jpg`. */
  blobKey: string;
  promptTokens: number;
  imageTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
  costUsd: number;
  /** ISO 8601. */
  createdAt: string;
  /** JSON of `GeminiContent[]` with inline images replaced by blob references; see core/history. */
  history: string | null;
  /** The options the image was made with (JSON), for display and reproduction. */
  options: string;
}

export interface ListImagesQuery {
  ownerId?: string;
  limit: number;
  /** Return images created strictly before this cursor (an opaque string from the previous page). */
  cursor?: string;
  /** Case-insensitive substring of the prompt. */
  search?: string;
}

export interface ImagePage {
  images: ImageRecord[];
  nextCursor: string | null;
}

/** Spending from the ledger (see {@link SpendingRepository.costSummary}). */
export interface ImageCostQuery {
  ownerId?: string;
  /** ISO 8601: `byDay` covers calls billed at or after this instant. */
  since: string;
}

/** One owner's billed calls on one model (see {@link SpendingRepository.usage}). */
export interface UsageRow {
  ownerId: string;
  email: string | null;
  modelAlias: string;
  images: number;
  costUsd: number;
}

/** `images` is the number of billed Gemini image calls (an enhanced image is two). */
export interface ImageCostSummary {
  /** All time, by model, most expensive first. */
  byModel: Array<{ modelAlias: string; modelId: string; images: number; costUsd: number }>;
  /** Since `since`, by UTC day (`YYYY-MM-DD`), oldest first; days without calls are left out. */
  byDay: Array<{ day: string; images: number; costUsd: number }>;
  /** All time: how many of the image calls the built-in emulator answered (free). */
  emulatedImages: number;
}

export interface ImageRepository {
  insert(record: ImageRecord): Promise<void>;
  get(id: string): Promise<ImageRecord | undefined>;
  list(query: ListImagesQuery): Promise<ImagePage>;
  children(id: string): Promise<ImageRecord[]>;
  delete(id: string): Promise<boolean>;
  /** Every blob key referenced by a row (used by the start-up reconciliation). */
  allBlobKeys(): Promise<Set<string>>;
}

export interface BlobStore {
  /** Writes atomically (a temporary file then a rename locally; a single PUT in S3). */
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Absolute path on disk, for stores that have one (the local folder). */
  localPath(key: string): string | undefined;
  /** All keys under a prefix with their modification time. */
  list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }>;
  /** A direct, time-limited GET link, for stores that can hand one out (S3). */
  presignedUrl?(key: string, ttlSeconds: number): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// Uploads
// ---------------------------------------------------------------------------------------------

/** A file a caller uploaded for use as a reference image: kept in the blob store, and on Gemini when large or asked. */
export interface UploadRecord {
  /** `upl_` followed by 26 base32 characters. */
  id: string;
  ownerId: string;
  displayName: string;
  /** The real type, sniffed from the bytes. */
  mimeType: string;
  bytes: number;
  /** Hex SHA-256 of the bytes (the same file uploaded twice by one owner is stored once). */
  sha256: string;
  /** Key in the blob store, e.g. `uploads/2026/11/<id>.png`. */
  blobKey: string;
  /** `files/<id>` of the copy on the Gemini Files API, if one was made. */
  geminiName: string | null;
  geminiUri: string | null;
  /** ISO 8601; Gemini deletes its copy then (48 h after the upload). */
  geminiExpiresAt: string | null;
  /** ISO 8601. */
  createdAt: string;
}

export interface UploadRepository {
  insert(record: UploadRecord): Promise<void>;
  get(id: string): Promise<UploadRecord | undefined>;
  /** The owner's upload of these exact bytes, if any. */
  findBySha256(ownerId: string, sha256: string): Promise<UploadRecord | undefined>;
  /** The owner's upload whose Gemini copy has this name (`files/<id>`), if any. */
  findByGeminiName(ownerId: string, geminiName: string): Promise<UploadRecord | undefined>;
  /** The owner's uploads, newest first. */
  list(query: { ownerId: string; limit: number }): Promise<UploadRecord[]>;
  /** Records (or, with `null`, forgets) the Gemini copy. */
  updateGemini(id: string, gemini: { name: string; uri: string; expiresAt: string | null } | null): Promise<void>;
  delete(id: string): Promise<boolean>;
}

/** The Gemini Files API as uploads use it; the Gemini client satisfies it. */
export interface GeminiFiles {
  uploadFile(req: {
    data: Buffer;
    mimeType: string;
    displayName?: string;
    signal?: AbortSignal;
  }): Promise<UploadedFile>;
  /** `undefined` when Gemini no longer has the file (expired after 48 h, deleted, unknown). */
  getFile(name: string): Promise<UploadedFile | undefined>;
  /** Succeeds when the file is already gone. */
  deleteFile(name: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Spending: the cost ledger, per-user budgets and rate limits (see core/spending.ts)
// ---------------------------------------------------------------------------------------------

/** What a billed Gemini image call was for: a new image, an edit, or the second pass of enhance-image. */
export type LedgerKind = 'generate' | 'edit' | 'enhance' | 'text';

/**
 * A call whose answer never came, which Google may still bill: `aborted` (cancelled, timed out),
 * `handed-back` (its instance stopped; another ran the pipeline again), `interrupted` (its instance died).
 */
export type LedgerOutcome = 'aborted' | 'handed-back' | 'interrupted';

/**
 * One billed Gemini image call. The ledger only grows: deleting an image refunds nothing, and a call
 * that Gemini refused or that failed is never written.
 */
export interface LedgerEntry {
  ownerId: string;
  kind: LedgerKind;
  modelId: string;
  modelAlias: string;
  /** The image size; null for a text-model call. */
  imageSize: string | null;
  promptTokens: number;
  imageTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
  /** The list price of the call when it was made. */
  costUsd: number;
  pipelineId: string | null;
  /** The image the call made (reserved up front; it may never have been stored, or deleted since). */
  imageId: string | null;
  /** ISO 8601. */
  createdAt: string;
  /** Made by the built-in emulator (synthetic, free). */
  emulated?: boolean;
  /** Absent for a call that returned. */
  outcome?: LedgerOutcome;
}

/** An admin's limits for one user; `null` is no limit. Amounts in USD, periods in UTC. */
export interface Budget {
  ownerId: string;
  dailyUsd: number | null;
  monthlyUsd: number | null;
  requestsPerMinute: number | null;
  /** ISO 8601. */
  updatedAt: string;
}

/** A change to a budget: a field left out stays as it is, `null` clears it. */
export type BudgetChange = Partial<Pick<Budget, 'dailyUsd' | 'monthlyUsd' | 'requestsPerMinute'>>;

export type BudgetPeriod = 'day' | 'month';

export interface ReserveRequest {
  ownerId: string;
  /** What the call will cost, counted against the budgets until it is settled or expires. */
  estimateUsd: number;
  /** ISO 8601. */
  now: string;
  /** After this long an unsettled reservation stops counting (its instance crashed). */
  ttlMs: number;
  /**
   * The call it is for (pipeline and stage). A reservation an earlier run left under the same key (its
   * instance died mid-call, and the pipeline runs again elsewhere) is replaced, not added to.
   */
  callKey?: string;
}

export type ReserveResult =
  /** `held` is false when the owner has no budget: nothing was reserved, settling only writes the ledger row. */
  | { ok: true; reservationId: string; held: boolean }
  | {
      ok: false;
      period: BudgetPeriod;
      limitUsd: number;
      /** Billed in the period plus what is in flight, without this call. */
      spentUsd: number;
      /** ISO 8601: when the period ends (UTC). */
      resetsAt: string;
    };

export type AdmitResult = { ok: true } | { ok: false; retryAfterMs: number; requestsPerMinute: number };

/**
 * The ledger, reservations, budgets and request log. `reserve` and `admitRequest` are atomic per owner,
 * also between processes sharing one database, so limits hold across server instances.
 */
export interface SpendingRepository {
  /** Checks the owner's budgets counting billed calls and unexpired reservations, and reserves if it fits. */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** Deletes the reservation and, unless `entry` is null (nothing billed), writes the ledger row; one transaction. */
  settle(reservationId: string, entry: LedgerEntry | null, held?: boolean): Promise<void>;
  /** Counts the owner's requests of the last minute against their limit and records this one if admitted. */
  admitRequest(request: { ownerId: string; now: string }): Promise<AdmitResult>;
  getBudget(ownerId: string): Promise<Budget | undefined>;
  setBudget(ownerId: string, change: BudgetChange, now: string): Promise<Budget>;
  listBudgets(): Promise<Budget[]>;
  /**
   * Spending from the ledger (all owners when `ownerId` is left out). `images` counts billed calls: an
   * enhanced image counts twice (its draft and its polished pass).
   */
  costSummary(query: ImageCostQuery): Promise<ImageCostSummary>;
  /** Billed calls since `since` (ISO 8601), by owner and model, with the owner's email when known. */
  usage(query: { since: string }): Promise<UsageRow[]>;
  /** Deletes request-log rows older than `before` and reservations expired before it (ISO 8601); returns how many. */
  prune(before: string): Promise<number>;
  /** Drops the owner's reservations held for these calls (`<pipelineId>:<kind>`), e.g. of a cancelled pipeline. */
  releaseCalls(ownerId: string, callKeys: string[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Personal access tokens
// ---------------------------------------------------------------------------------------------

/** A token a person made for a client that only takes a header (only its hash is kept). */
export interface AccessTokenRecord {
  /** `pat_` followed by 26 base32 characters; shown in lists, used to revoke. */
  id: string;
  ownerId: string;
  /** The owner's email when the token was made (the allow-list is checked against the owner's current one). */
  email: string;
  name: string;
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  /** ISO 8601. */
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AccessTokenRepository {
  insert(record: AccessTokenRecord): Promise<void>;
  /** A token that is not revoked, by the hash of its secret. */
  findActiveByHash(secretHash: string): Promise<AccessTokenRecord | undefined>;
  list(ownerId: string | undefined): Promise<AccessTokenRecord[]>;
  /** False when there was no such token of this owner (any owner when `ownerId` is undefined). */
  revoke(id: string, ownerId: string | undefined, now: string): Promise<boolean>;
  touch(id: string, now: string): Promise<void>;
  /** Records who a signed-in user id is (their verified email), for tokens made by email. */
  rememberUser(userId: string, email: string): Promise<void>;
  userIdByEmail(email: string): Promise<string | undefined>;
}

// ---------------------------------------------------------------------------------------------
// Per-person settings
// ---------------------------------------------------------------------------------------------

/** What a person chose for themselves (kept on their `users` row). */
export interface UserSettingsRepository {
  /** The model alias they chose, or undefined when they chose none. */
  getDefaultModel(userId: string): Promise<string | undefined>;
  /** `null` goes back to the server's default. */
  setDefaultModel(userId: string, alias: string | null): Promise<void>;
}
