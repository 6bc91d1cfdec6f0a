/**
 * The interfaces through which core reaches Gemini and storage, one file per concern under ./ports/.
 * `src/gemini/` and `src/store/` implement them; core never imports those folders' modules directly (only
 * these types).
 * @module
 */

export type { AccessTokenRecord, AccessTokenRepository } from './ports/accessTokens.js';
export type {
  GeminiContent,
  GeminiPart,
  GenerateImageRequest,
  GenerateImageResult,
  GroundingSource,
  ImageGenerator,
  ReferenceImage,
  TokenUsage,
  UploadedFile,
} from './ports/gemini.js';
export type {
  AdmitResult,
  Budget,
  BudgetChange,
  BudgetPeriod,
  ImageCostQuery,
  ImageCostSummary,
  LedgerEntry,
  LedgerKind,
  LedgerOutcome,
  ReserveRequest,
  ReserveResult,
  SpendingRepository,
  UsageRow,
} from './ports/spending.js';
export type { BlobStore, ImagePage, ImageRecord, ImageRepository, ListImagesQuery } from './ports/storage.js';
export type { GeminiFiles, UploadRecord, UploadRepository } from './ports/uploads.js';
export type { StorageUse, UserSettingsRepository } from './ports/userSettings.js';
