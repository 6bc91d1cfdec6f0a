/**
 * The HTTP server: node:http for full control over sockets (dropped connections, hung requests that must not
 * block `close()`), request recording, API-key checks and routing to the handlers.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { EmulatorContext, RouteRequest } from './context.js';
import {
  badApiKey,
  GoogleError,
  internalError,
  invalidArgument,
  invalidJson,
  notFound,
  unregisteredCaller,
} from './errors.js';
import { readBody, sendError } from './http.js';
import { handleControl } from './routes/control.js';
import {
  handleDeleteFile,
  handleGetFile,
  handleListFiles,
  handleUploadChunk,
  handleUploadStart,
} from './routes/files.js';
import type { GenerateMethod } from './routes/generate.js';
import { handleGenerate } from './routes/generate.js';
import { handleGetModel, handleListModels } from './routes/models.js';

/** Google rejects whole requests above 100 MB (the inline limit since 2026-01-08). */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

const VERSION = '(v1|v1beta|v1alpha)';
const ROUTES = {
  control: /^\/_emulator\/(.+?)\/?$/,
  upload: new RegExp(`^/upload/${VERSION}/files$`),
  files: new RegExp(`^/${VERSION}/files$`),
  file: new RegExp(`^/${VERSION}/files/([^/]+)$`),
  models: new RegExp(`^/${VERSION}/models$`),
  model: new RegExp(`^/${VERSION}/models/([^/:]+)$`),
  generate: new RegExp(`^/${VERSION}/models/([^/:]+):(generateContent|streamGenerateContent|countTokens)$`),
  // Vertex AI express mode (API key, no project): publishers/google/models/…
  vertex:
    /^\/(v1|v1beta1)\/(?:projects\/[^/]+\/locations\/[^/]+\/)?publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/,
};

export interface KeyPolicy {
  apiKey: string | undefined;
}

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startServer(
  ctx: EmulatorContext,
  policy: KeyPolicy,
  host: string,
  port: number,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();
  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on('close', () => {
      // Fires on completion too; aborting then is harmless and releases waits tied to this request.
      controller.abort();
      inFlight.delete(controller);
    });
    handle(ctx, policy, req, res, controller.signal).catch((error: unknown) => {
      ctx.log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendError(res, internalError());
      else res.destroy();
    });
  });
  // Huge uploads and deliberately hung requests must not be cut by Node's default request timeout.
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const controller of inFlight) controller.abort();
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}

async function handle(
  ctx: EmulatorContext,
  policy: KeyPolicy,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);
  const isChunk = ROUTES.upload.test(path) && url.searchParams.has('upload_id');
  const isControl = ROUTES.control.test(path);

  let parsed: unknown;
  let parseError = false;
  if (!isChunk && raw.length > 0) {
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      parseError = true;
    }
  }
  if (!isControl) {
    ctx.requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      ),
      body: parsed,
      at: ctx.clock.now(),
    });
  }
  res.on('finish', () =>
    ctx.log(`${method} ${path} → ${res.statusCode} (${Math.round(performance.now() - started)} ms)`),
  );

  const rq: RouteRequest = {
    req,
    res,
    method,
    path,
    query: url.searchParams,
    raw,
    json: () => {
      if (parseError) throw invalidJson();
      return parsed;
    },
    signal,
    origin: `http://${req.headers.host ?? 'localhost'}`,
  };

  try {
    await route(ctx, policy, rq, isControl, isChunk);
  } catch (error) {
    // The stream endpoint sends its errors with the stream's content type, not JSON (googleapis/js-genai#346,
    // #577): the SDK then wraps the JSON text, which is why clients see doubly encoded messages.
    if (error instanceof GoogleError) sendError(res, error, path.endsWith(':streamGenerateContent'));
    else throw error;
  }
}

async function route(
  ctx: EmulatorContext,
  policy: KeyPolicy,
  rq: RouteRequest,
  isControl: boolean,
  isChunk: boolean,
): Promise<void> {
  const { method, path } = rq;
  if (isControl) {
    const match = ROUTES.control.exec(path);
    return handleControl(ctx, rq, match?.[1] ?? '');
  }
  // Upload chunks are authorised by their upload_id, like Google's resumable sessions.
  if (isChunk) {
    if (method !== 'POST' && method !== 'PUT') throw notFound();
    return handleUploadChunk(ctx, rq, rq.query.get('upload_id') ?? '');
  }
  checkKey(rq, policy);
  if (rq.raw.length > MAX_REQUEST_BYTES) {
    throw invalidArgument(`Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.`);
  }

  const vertex = ROUTES.vertex.exec(path);
  const generate = ROUTES.generate.exec(path) ?? vertex;
  if (generate) {
    if (method !== 'POST') throw notFound();
    const [, version = 'v1beta', model = '', action = 'generateContent'] = generate;
    return handleGenerate(ctx, rq, decodeURIComponent(model), action as GenerateMethod, version, vertex !== null);
  }
  const upload = ROUTES.upload.exec(path);
  if (upload) {
    if (method !== 'POST') throw notFound();
    return handleUploadStart(ctx, rq, upload[1] ?? 'v1beta');
  }
  const file = ROUTES.file.exec(path);
  if (file) {
    const id = decodeURIComponent(file[2] ?? '');
    if (method === 'GET') return handleGetFile(ctx, rq, id);
    if (method === 'DELETE') return handleDeleteFile(ctx, rq, id);
    throw notFound();
  }
  if (ROUTES.files.test(path) && method === 'GET') return handleListFiles(ctx, rq);
  const model = ROUTES.model.exec(path);
  if (model && method === 'GET')
    return handleGetModel(ctx, rq, decodeURIComponent(model[2] ?? ''), model[1] ?? 'v1beta');
  if (ROUTES.models.test(path) && method === 'GET') return handleListModels(ctx, rq);
  throw notFound();
}

function checkKey(rq: RouteRequest, policy: KeyPolicy): void {
  const headerValue = rq.req.headers['x-goog-api-key'];
  const key = (Array.isArray(headerValue) ? headerValue[0] : headerValue) ?? rq.query.get('key') ?? '';
  if (key === '') throw unregisteredCaller();
  const valid = policy.apiKey !== undefined ? key === policy.apiKey : !key.startsWith('invalid');
  if (!valid) throw badApiKey();
}
