/**
 * Storage ports: image records and their repository, and the blob store. `src/store/` implements them.
 * @module
 */
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
