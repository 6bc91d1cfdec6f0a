/**
 * In-memory Files API storage: resumable upload sessions and stored files, with Google's 48-hour expiry
 * measured on the emulator's controllable clock. Expired files behave exactly like unknown ones.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { fileDenied, GoogleError, invalidArgument } from './errors.js';
import { sha256 } from './hash.js';

export const FILE_TTL_MS = 48 * 60 * 60 * 1000;
/** Videos are PROCESSING for this long after upload; images are ACTIVE at once. */
const VIDEO_PROCESSING_MS = 2000;
const MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024;
/** Files API storage per project (Google's Files API docs: 20 GB per project, 2 GB per file). */
export const PROJECT_QUOTA_BYTES = 20 * 1024 * 1024 * 1024;
const PUBLIC_BASE = 'https://generativelanguage.googleapis.com';

export interface StoredFile {
  id: string;
  displayName: string | undefined;
  mimeType: string;
  bytes: Buffer;
  createdAt: number;
  version: string;
  /** Set by the `failNext` knob: the file ends in state FAILED (unusable in prompts). */
  failed?: boolean;
}

/** Test knobs: files that fail processing, and the project's storage quota. */
export interface FileKnobs {
  /** The next N finalized uploads end in state FAILED. */
  failNext: number;
  /** Total bytes the project may keep; default 20 GB. */
  quotaBytes: number;
}

interface UploadSession {
  uploadId: string;
  fileId: string;
  displayName: string | undefined;
  mimeType: string;
  declaredSize: number | undefined;
  chunks: Buffer[];
  received: number;
  version: string;
}

export interface StartUpload {
  name?: string | undefined;
  displayName?: string | undefined;
  mimeType: string;
  declaredSize: number | undefined;
  version: string;
}

const ID_PATTERN = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private readonly sessions = new Map<string, UploadSession>();
  private readonly now: () => number;
  readonly knobs: FileKnobs = { failNext: 0, quotaBytes: PROJECT_QUOTA_BYTES };

  constructor(now: () => number) {
    this.now = now;
  }

  /** Bytes the project keeps now (unexpired files). */
  usedBytes(): number {
    return this.list().reduce((sum, file) => sum + file.bytes.length, 0);
  }

  private checkQuota(adding: number): void {
    const used = this.usedBytes();
    if (used + adding <= this.knobs.quotaBytes) return;
    // Wording ours (no public sample of this error): the status is the one Google uses for quotas.
    throw new GoogleError(
      429,
      'RESOURCE_EXHAUSTED',
      `Files API storage quota exceeded: the project keeps ${used} bytes of its ${this.knobs.quotaBytes} bytes, and this file needs ${adding} more. Delete files or wait for them to expire (48 hours).`,
    );
  }

  startUpload(options: StartUpload): string {
    let fileId: string;
    if (options.name) {
      fileId = options.name.replace(/^files\//, '');
      if (!ID_PATTERN.test(fileId)) {
        throw invalidArgument(
          `Invalid file name: files/${fileId}. The id must be at most 40 characters of lowercase letters, digits and dashes, and cannot begin or end with a dash.`,
        );
      }
      if (this.get(fileId)) throw new GoogleError(409, 'ALREADY_EXISTS', `File files/${fileId} already exists.`);
    } else {
      fileId = newId(12);
    }
    if (options.declaredSize !== undefined && options.declaredSize > MAX_FILE_BYTES) {
      throw invalidArgument(`File size ${options.declaredSize} exceeds the maximum allowed size of 2 GB.`);
    }
    if (options.declaredSize !== undefined) this.checkQuota(options.declaredSize);
    const uploadId = `ABgVH${randomBytes(24).toString('base64url')}`;
    this.sessions.set(uploadId, {
      uploadId,
      fileId,
      displayName: options.displayName,
      mimeType: options.mimeType,
      declaredSize: options.declaredSize,
      chunks: [],
      received: 0,
      version: options.version,
    });
    return uploadId;
  }

  /** Returns the stored file on finalize, otherwise the byte count received so far. */
  appendChunk(
    uploadId: string,
    offset: number,
    data: Buffer,
    finalize: boolean,
  ): { file: StoredFile } | { received: number } {
    const session = this.sessions.get(uploadId);
    if (!session) throw new GoogleError(404, 'NOT_FOUND', 'Upload session not found or already finalized.');
    if (offset !== session.received) {
      throw invalidArgument(`Invalid upload offset ${offset}: the server has received ${session.received} bytes.`);
    }
    session.chunks.push(data);
    session.received += data.length;
    if (session.declaredSize !== undefined && session.received > session.declaredSize) {
      this.sessions.delete(uploadId);
      throw invalidArgument(
        `Upload exceeds the declared size: received ${session.received} bytes, declared ${session.declaredSize}.`,
      );
    }
    if (!finalize) return { received: session.received };
    if (session.declaredSize !== undefined && session.received !== session.declaredSize) {
      this.sessions.delete(uploadId);
      throw invalidArgument(
        `Upload finalized with ${session.received} bytes, but ${session.declaredSize} bytes were declared.`,
      );
    }
    this.sessions.delete(uploadId);
    this.checkQuota(session.received);
    const failed = this.knobs.failNext > 0;
    if (failed) this.knobs.failNext -= 1;
    const file: StoredFile = {
      id: session.fileId,
      displayName: session.displayName,
      mimeType: session.mimeType,
      bytes: Buffer.concat(session.chunks),
      createdAt: this.now(),
      version: session.version,
      ...(failed ? { failed: true } : {}),
    };
    this.files.set(file.id, file);
    return { file };
  }

  received(uploadId: string): number | undefined {
    return this.sessions.get(uploadId)?.received;
  }

  cancel(uploadId: string): void {
    this.sessions.delete(uploadId);
  }

  /** Unknown and expired files are both undefined (expired ones are purged). */
  get(id: string): StoredFile | undefined {
    const file = this.files.get(id);
    if (!file) return undefined;
    if (this.now() >= file.createdAt + FILE_TTL_MS) {
      this.files.delete(id);
      return undefined;
    }
    return file;
  }

  require(id: string): StoredFile {
    const file = this.get(id);
    if (!file) throw fileDenied(id);
    return file;
  }

  list(): StoredFile[] {
    return [...this.files.keys()].map((id) => this.get(id)).filter((f): f is StoredFile => f !== undefined);
  }

  delete(id: string): void {
    this.require(id);
    this.files.delete(id);
  }

  state(file: StoredFile): 'ACTIVE' | 'PROCESSING' | 'FAILED' {
    if (file.failed) return 'FAILED';
    return file.mimeType.startsWith('video/') && this.now() < file.createdAt + VIDEO_PROCESSING_MS
      ? 'PROCESSING'
      : 'ACTIVE';
  }

  /** The File resource exactly as the REST API returns it (`sizeBytes` is a string). */
  toResource(file: StoredFile): Record<string, unknown> {
    const created = timestamp(file.createdAt);
    const resource: Record<string, unknown> = { name: `files/${file.id}` };
    if (file.displayName !== undefined) resource.displayName = file.displayName;
    Object.assign(resource, {
      mimeType: file.mimeType,
      sizeBytes: String(file.bytes.length),
      createTime: created,
      updateTime: created,
      expirationTime: timestamp(file.createdAt + FILE_TTL_MS),
      // Google sends the hex digest, base64-encoded.
      sha256Hash: Buffer.from(sha256(file.bytes).toString('hex')).toString('base64'),
      uri: `${PUBLIC_BASE}/${file.version}/files/${file.id}`,
      state: this.state(file),
      source: 'UPLOADED',
    });
    if (file.failed) resource.error = { code: 400, message: 'File processing failed.' };
    return resource;
  }

  clear(): void {
    this.files.clear();
    this.sessions.clear();
    this.knobs.failNext = 0;
    this.knobs.quotaBytes = PROJECT_QUOTA_BYTES;
  }
}

/** `files/abc`, `abc` or a full `https://…/files/abc` URI → `abc`. */
export function fileIdFromUri(uri: string): string {
  const match = uri.match(/(?:^|\/)files\/([^/?#]+)/);
  return match?.[1] ?? uri;
}

function newId(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

/** RFC 3339 with microseconds, like Google's timestamps. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
