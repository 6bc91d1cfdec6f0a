/**
 * Files API: the resumable upload protocol (start → chunks → finalize) and get / list / delete, with the same
 * headers, status values and quirks the SDK relies on (absolute upload URL, binary chunks labelled JSON,
 * `x-goog-upload-status`, `200 {}` on delete, 403 for unknown or expired files).
 * @module
 */
import type { EmulatorContext, RouteRequest } from '../context.js';
import { header } from '../context.js';
import { invalidArgument, notFound } from '../errors.js';
import { sendJson } from '../http.js';

const CHUNK_GRANULARITY = '8388608';

export function handleUploadStart(ctx: EmulatorContext, rq: RouteRequest, version: string): void {
  const protocol = header(rq, 'x-goog-upload-protocol');
  const command = header(rq, 'x-goog-upload-command');
  if (protocol !== 'resumable' || command?.toLowerCase() !== 'start') {
    throw invalidArgument(
      'Only the resumable upload protocol is supported: send X-Goog-Upload-Protocol: resumable and X-Goog-Upload-Command: start.',
    );
  }
  const body = rq.json();
  const file = isObject(body) && isObject(body.file) ? body.file : {};
  const lengthHeader = header(rq, 'x-goog-upload-header-content-length');
  const declared =
    lengthHeader ??
    (typeof file.sizeBytes === 'string' || typeof file.sizeBytes === 'number' ? String(file.sizeBytes) : undefined);
  const declaredSize = declared === undefined ? undefined : Number.parseInt(declared, 10);
  if (declaredSize !== undefined && (!Number.isFinite(declaredSize) || declaredSize < 0)) {
    throw invalidArgument(`Invalid X-Goog-Upload-Header-Content-Length: ${declared}`);
  }
  const mimeType =
    header(rq, 'x-goog-upload-header-content-type') ??
    (typeof file.mimeType === 'string' ? file.mimeType : undefined) ??
    'application/octet-stream';
  const uploadId = ctx.files.startUpload({
    name: typeof file.name === 'string' ? file.name : undefined,
    displayName: typeof file.displayName === 'string' ? file.displayName : undefined,
    mimeType,
    declaredSize,
    version,
  });
  // Any host works: the SDK rewrites scheme/host/port to its baseUrl and keeps path and query.
  const uploadUrl = `${rq.origin}/upload/${version}/files?upload_id=${uploadId}&upload_protocol=resumable`;
  rq.res.writeHead(200, {
    'x-goog-upload-status': 'active',
    'x-goog-upload-url': uploadUrl,
    'x-goog-upload-control-url': uploadUrl,
    'x-goog-upload-chunk-granularity': CHUNK_GRANULARITY,
    'x-guploader-uploadid': uploadId,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': '0',
  });
  rq.res.end();
  ctx.log(`upload started ${uploadId} (${declaredSize ?? '?'} bytes, ${mimeType})`);
}

export function handleUploadChunk(ctx: EmulatorContext, rq: RouteRequest, uploadId: string): void {
  const commands = (header(rq, 'x-goog-upload-command') ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (commands.includes('query')) {
    const received = ctx.files.received(uploadId);
    if (received === undefined) throw notFound('Upload session not found or already finalized.');
    rq.res.writeHead(200, {
      'x-goog-upload-status': 'active',
      'x-goog-upload-size-received': String(received),
      'content-length': '0',
    });
    rq.res.end();
    return;
  }
  if (commands.includes('cancel')) {
    ctx.files.cancel(uploadId);
    rq.res.writeHead(200, { 'x-goog-upload-status': 'cancelled', 'content-length': '0' });
    rq.res.end();
    return;
  }
  const upload = commands.includes('upload');
  const finalize = commands.includes('finalize');
  if (!upload && !finalize) throw invalidArgument('Unknown X-Goog-Upload-Command.');
  const offsetHeader = header(rq, 'x-goog-upload-offset');
  const offset = offsetHeader === undefined ? (ctx.files.received(uploadId) ?? 0) : Number.parseInt(offsetHeader, 10);
  if (!Number.isFinite(offset)) throw invalidArgument(`Invalid X-Goog-Upload-Offset: ${offsetHeader}`);
  // The body is raw bytes even though the SDK labels it application/json: never parse it.
  const result = ctx.files.appendChunk(uploadId, offset, upload ? rq.raw : Buffer.alloc(0), finalize);
  if ('received' in result) {
    rq.res.writeHead(200, {
      'x-goog-upload-status': 'active',
      'x-goog-upload-size-received': String(result.received),
      'content-length': '0',
    });
    rq.res.end();
    return;
  }
  ctx.log(`upload finalized files/${result.file.id} (${result.file.bytes.length} bytes)`);
  sendJson(rq.res, 200, { file: ctx.files.toResource(result.file) }, { 'x-goog-upload-status': 'final' });
}

export function handleGetFile(ctx: EmulatorContext, rq: RouteRequest, id: string): void {
  sendJson(rq.res, 200, ctx.files.toResource(ctx.files.require(id)));
}

export function handleDeleteFile(ctx: EmulatorContext, rq: RouteRequest, id: string): void {
  ctx.files.delete(id);
  sendJson(rq.res, 200, {});
}

export function handleListFiles(ctx: EmulatorContext, rq: RouteRequest): void {
  const pageSize = clampPageSize(rq.query.get('pageSize') ?? rq.query.get('page_size'), 10, 100);
  const token = rq.query.get('pageToken') ?? rq.query.get('page_token') ?? '';
  const start = decodePageToken(token);
  const files = ctx.files.list();
  const page = files.slice(start, start + pageSize);
  const body: Record<string, unknown> = {};
  // Like Google, an empty listing is `{}` rather than `{"files": []}`.
  if (page.length > 0) body.files = page.map((f) => ctx.files.toResource(f));
  if (start + pageSize < files.length) body.nextPageToken = encodePageToken(start + pageSize);
  sendJson(rq.res, 200, body);
}

export function clampPageSize(raw: string | null, fallback: number, max: number): number {
  const value = raw === null ? Number.NaN : Number.parseInt(raw, 10);
  if (!Number.isFinite(value) || value <= 0) return fallback;
  return Math.min(value, max);
}

export function encodePageToken(offset: number): string {
  return Buffer.from(`emu-offset:${offset}`).toString('base64url');
}

export function decodePageToken(token: string): number {
  if (token === '') return 0;
  const match = Buffer.from(token, 'base64url')
    .toString('utf8')
    .match(/^emu-offset:(\d+)$/);
  if (!match) throw invalidArgument('Invalid page token.');
  return Number(match[1]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
