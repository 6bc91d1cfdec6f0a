/**
 * Upload ports: files a caller uploaded for use as references, and the Gemini Files API as uploads use it.
 * @module
 */
import type { UploadedFile } from './gemini.js';

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
