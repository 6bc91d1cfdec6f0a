/**
 * `GET /{ver}/models` and `GET /{ver}/models/{model}`: Model resources for the emulator's own table.
 * @module
 */
import type { EmulatorContext, RouteRequest } from '../context.js';
import { modelNotFound } from '../errors.js';
import { sendJson } from '../http.js';
import type { AnyModel } from '../models.js';
import { allModels, findServedModel, isServed } from '../models.js';
import { clampPageSize, decodePageToken, encodePageToken } from './files.js';

function resource(model: AnyModel): Record<string, unknown> {
  const image = model.kind === 'image';
  return {
    name: `models/${model.id}`,
    version: model.version,
    displayName: model.displayName,
    description: model.description,
    inputTokenLimit: image ? model.inputTokenLimit : 1048576,
    outputTokenLimit: image ? model.outputTokenLimit : 65536,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'batchGenerateContent'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking: !(image && !model.thinks),
  };
}

export function handleGetModel(ctx: EmulatorContext, rq: RouteRequest, id: string, version: string): void {
  const model = findServedModel(id, ctx.clock.now(), ctx.extraModels);
  if (!model) throw modelNotFound(id.replace(/^models\//, ''), version, 'get');
  sendJson(rq.res, 200, resource(model));
}

export function handleListModels(ctx: EmulatorContext, rq: RouteRequest): void {
  const pageSize = clampPageSize(rq.query.get('pageSize'), 50, 1000);
  const start = decodePageToken(rq.query.get('pageToken') ?? '');
  // A shut-down model disappears from the list on its date, as it does for real keys.
  const models = [...allModels(), ...ctx.extraModels.values()].filter((m) => isServed(m, ctx.clock.now()));
  const body: Record<string, unknown> = { models: models.slice(start, start + pageSize).map(resource) };
  if (start + pageSize < models.length) body.nextPageToken = encodePageToken(start + pageSize);
  sendJson(rq.res, 200, body);
}
