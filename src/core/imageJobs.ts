/**
 * One image's worth of work, split so a pipeline can persist it between steps: plan (validate options,
 * load references and keep them in the blob store), call Gemini, optionally enhance, store. A planned
 * job is plain JSON, so a restarted server can run it again without the caller.
 * @module
 */

import { createHash } from 'node:crypto';
import type { NoticeSink } from './callNotices.js';
import { isEmulated } from './emulatedRegistry.js';
import { InvalidInputError } from './errors.js';
import { arrivedBase64, keepFresh, startPreview } from './freshImages.js';
import { type ResolvedOptions, resolveGenerationOptions } from './generationOptions.js';
import { dehydrateHistory, rehydrateHistory } from './history.js';
import { readImageInfo } from './imaging.js';
import { resolveReference } from './jobReferences.js';
import { extensionForMime } from './mime.js';
import { generateServed } from './modelChoice.js';
import { estimateCostUsd } from './models.js';
import { planOutputs, saveOutputCopy } from './outputFiles.js';
import { clearPending, putTracked } from './pendingBlobs.js';
import type { GenerateImageResult, ImageRecord, ReferenceImage } from './ports.js';
import { type LoadedReference, loadReference, type ReferenceContext } from './references.js';
import type {
  CallContext,
  CommonImageOptions,
  EditInput,
  GenerateInput,
  ImageJob,
  ImageJobDeps,
  JobReference,
  StudioImage,
} from './studioTypes.js';

export type { ImageJob, ImageJobDeps, JobReference } from './studioTypes.js';

/** Plans `n` jobs for a generation. Validation errors are thrown here, before any pipeline exists. */
export async function planGeneration(deps: ImageJobDeps, input: GenerateInput, ctx: CallContext): Promise<ImageJob[]> {
  const prompt = input.prompt.trim();
  if (!prompt) throw new InvalidInputError('The prompt is empty. Describe the image you want.');
  const options = resolveGenerationOptions(
    deps.registry,
    { ...input, referenceCount: input.referenceImages?.length ?? 0 },
    { defaultModel: ctx.defaultModel },
  );
  const loaded = await loadReferences(deps, input.referenceImages, ctx);
  const references = await Promise.all(loaded.map((r) => keepReference(deps, r)));
  const outputs = await planOutputs(input, input.n, ctx);
  return Array.from({ length: input.n }, (_, index) => ({
    ...jobFields(deps, ctx, input, options, loaded),
    kind: 'generate' as const,
    index,
    prompt,
    references,
    parentId: null,
    continueConversation: false,
    ...outputs[index],
  }));
}

export async function planEdit(deps: ImageJobDeps, input: EditInput, ctx: CallContext): Promise<ImageJob> {
  const instruction = input.instruction.trim();
  if (!instruction) throw new InvalidInputError('The instruction is empty. Say what to change in the image.');
  const [source] = await loadReferences(deps, [input.image], ctx);
  if (!source) throw new InvalidInputError('No image to edit was given.');
  const parent = source.record;
  const options = resolveGenerationOptions(
    deps.registry,
    { ...input, referenceCount: (input.referenceImages?.length ?? 0) + 1 },
    {
      defaultModel: parent?.modelAlias ?? ctx.defaultModel,
      imageSize: parent?.imageSize,
      aspectRatio: parent?.aspectRatio,
    },
  );
  const extra = await loadReferences(deps, input.referenceImages, ctx);
  // Continue the image's own conversation when the same model made it: its thought signatures are only
  // valid for that model. Otherwise start a new one with the image as the first reference.
  const continues = Boolean(parent?.history && parent.modelId === options.model.id && options.model.multiTurn);
  const refs = continues ? extra : [source, ...extra];
  return {
    ...jobFields(deps, ctx, input, options, [source, ...extra]),
    kind: 'edit',
    index: 0,
    prompt: instruction,
    references: await Promise.all(refs.map((r) => keepReference(deps, r))),
    parentId: parent?.id ?? null,
    continueConversation: continues,
    ...(await planOutputs(input, 1, ctx))[0],
  };
}

/** The fields every job takes from the caller and the resolved options. */
function jobFields(
  deps: ImageJobDeps,
  ctx: CallContext,
  input: CommonImageOptions,
  options: ResolvedOptions,
  references: LoadedReference[],
) {
  const notices = [...options.notices, ...references.flatMap((r) => (r.note ? [r.note] : []))];
  return {
    ownerId: ctx.ownerId,
    imageId: deps.newImageId(),
    negativePrompt: input.negativePrompt,
    systemInstruction: input.systemInstruction,
    seed: input.seed,
    modelAlias: options.model.alias,
    imageSize: options.imageSize,
    aspectRatio: options.aspectRatio,
    thinkingLevel: options.thinkingLevel,
    grounding: options.grounding,
    ...(notices.length > 0 ? { notices } : {}),
    requested: { referenceImages: input.referenceImages },
  };
}

export interface CallOptions {
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Tells the waiting caller what happens on the way (a model fallback, a converted reference). */
  onNotice?: NoticeSink;
  /** The prompt to send instead of the job's own (a refined one). */
  prompt?: string;
}

/** The Gemini call of a job. */
export async function callGemini(
  deps: ImageJobDeps,
  job: ImageJob,
  options: CallOptions = {},
): Promise<GenerateImageResult> {
  const model = modelOf(deps, job);
  const parent = job.continueConversation && job.parentId ? await deps.images.get(job.parentId) : undefined;
  const history = parent?.history ? await rehydrateHistory(parent.history, (key) => deps.blobs.get(key)) : undefined;
  return generateServed(deps.generator, deps.registry, model, {
    model: model.id,
    prompt: options.prompt ?? job.prompt,
    negativePrompt: job.negativePrompt,
    systemInstruction: job.systemInstruction,
    aspectRatio: job.aspectRatio,
    imageSize: model.sendsImageSize ? job.imageSize : undefined,
    referenceImages: await Promise.all(job.references.map((r) => resolveReference(deps, r, job.ownerId))),
    thinkingLevel: job.thinkingLevel?.toUpperCase(),
    grounding: job.grounding || undefined,
    history,
    seed: job.seed === undefined ? undefined : job.seed + job.index,
    signal: options.signal,
    onRetry: options.onRetry,
  });
}

/** What the enhance-image stage asks for; documented in the README. */
export const ENHANCE_INSTRUCTION =
  'Enhance this image: sharpen fine detail and textures, clean up artefacts and noise, and refine lighting, contrast and colour for a polished, professional finish. Keep the composition, subjects, text and style exactly as they are.';

/** A second turn in the draft's own conversation asking for a polished version at the same size. */
export async function enhance(
  deps: ImageJobDeps,
  job: ImageJob,
  draft: GenerateImageResult,
  options: CallOptions = {},
): Promise<GenerateImageResult> {
  const model = modelOf(deps, job);
  return generateServed(deps.generator, deps.registry, model, {
    model: model.id,
    prompt: ENHANCE_INSTRUCTION,
    aspectRatio: job.aspectRatio,
    imageSize: model.sendsImageSize ? job.imageSize : undefined,
    thinkingLevel: job.thinkingLevel?.toUpperCase(),
    history: draft.history,
    signal: options.signal,
    onRetry: options.onRetry,
  });
}

/**
 * Stores the result under the job's reserved id (blob first, then row). The pipeline run checked, when it
 * began, that no earlier run had stored it (and completes without calling this when one had). `calls` is
 * how many billed Gemini images the job took (2 with enhance).
 */
export async function storeResult(
  deps: ImageJobDeps,
  job: ImageJob,
  result: GenerateImageResult,
  meta: { prompt: string; calls: number; extra?: Record<string, unknown> },
): Promise<StudioImage> {
  const model = modelOf(deps, job);
  const info = await readImageInfo(result.data);
  // The preview the result will show, made while the image and its row are written (sharp works in libuv's pool).
  const firstPreview =
    deps.eagerPreview === false ? Promise.resolve(undefined) : startPreview(result.data, info, deps.previewEdge);
  const created = deps.now();
  const month = `${created.getUTCFullYear()}/${String(created.getUTCMonth() + 1).padStart(2, '0')}`;
  const blobKey = `images/${month}/${job.imageId}.${extensionForMime(result.mimeType)}`;
  await deps.blobs.put(blobKey, result.data);
  const historyKeys: string[] = [];
  const history = await dehydrateHistory(result.history, async (base64, mimeType) => {
    const data = base64 === arrivedBase64(result.data) ? result.data : Buffer.from(base64, 'base64');
    if (data.equals(result.data)) return blobKey;
    const key = await putReference(deps, data, mimeType);
    historyKeys.push(key);
    return key;
  });
  const { outputPath, outputKept, outputError } = await saveOutputCopy(job, result);
  if (outputError) deps.log.warn({ id: job.imageId, err: outputError }, 'output copy not written');
  const record: ImageRecord = {
    id: job.imageId,
    ownerId: job.ownerId,
    parentId: job.parentId,
    kind: job.kind,
    prompt: meta.prompt,
    negativePrompt: job.negativePrompt ?? null,
    modelId: model.id,
    modelAlias: model.alias,
    imageSize: job.imageSize,
    aspectRatio: job.aspectRatio,
    width: info.width,
    height: info.height,
    mimeType: result.mimeType,
    bytes: result.data.length,
    blobKey,
    promptTokens: result.usage.promptTokens,
    imageTokens: result.usage.imageTokens,
    thoughtsTokens: result.usage.thoughtsTokens,
    totalTokens: result.usage.totalTokens,
    costUsd: estimateCostUsd(model, job.imageSize) * meta.calls,
    createdAt: created.toISOString(),
    history,
    options: JSON.stringify({
      thinkingLevel: job.thinkingLevel,
      grounding: job.grounding,
      systemInstruction: job.systemInstruction,
      referenceImages: job.requested.referenceImages,
      seed: job.seed,
      originalPrompt: meta.prompt === job.prompt ? undefined : job.prompt,
      enhanced: meta.calls > 1 || undefined,
      emulated: isEmulated(deps.registry) || undefined,
      modelText: result.text,
      groundingSources: result.groundingSources,
      attempts: result.attempts,
      savedTo: outputPath,
      notices: job.notices,
      keptExisting: outputKept,
      outputError,
      ...meta.extra,
    }),
  };
  await deps.images.insert(record);
  for (const key of historyKeys) await clearPending(deps.blobs, key);
  deps.log.info({ id: record.id, model: model.id, size: job.imageSize, bytes: record.bytes }, 'image stored');
  // Its gallery thumbnail, started now, off the caller's path.
  keepFresh(deps, record, result.data, info, firstPreview);
  const image: StudioImage = {
    record,
    data: result.data,
    storedPath: deps.blobs.localPath(blobKey),
    outputPath,
    outputKept,
    outputError,
    modelText: result.text,
    groundingSources: result.groundingSources,
    notices: job.notices,
  };
  return image;
}

function modelOf(deps: ImageJobDeps, job: ImageJob) {
  const model = deps.registry.resolve(job.modelAlias);
  if (!model) throw new InvalidInputError(`Model "${job.modelAlias}" is no longer configured on this server.`);
  return model;
}

async function loadReferences(
  deps: ImageJobDeps,
  values: string[] | undefined,
  ctx: CallContext,
): Promise<LoadedReference[]> {
  const refCtx: ReferenceContext = {
    ownerId: ctx.ownerId,
    isAdmin: ctx.isAdmin,
    paths: ctx.paths,
    maxBytes: deps.maxReferenceBytes,
  };
  return Promise.all((values ?? []).map((v) => loadReference(v, refCtx, deps)));
}

async function keepReference(deps: ImageJobDeps, loaded: LoadedReference): Promise<JobReference> {
  const image: ReferenceImage = loaded.image;
  // Uploads are resolved when the job runs: a queued or resumed job must not send an expired Gemini file.
  if (loaded.uploadId) return { uploadId: loaded.uploadId, mimeType: image.mimeType, ownerId: loaded.uploadOwnerId };
  if (image.kind === 'file') return { fileUri: image.uri, mimeType: image.mimeType };
  if (loaded.record) return { key: loaded.record.blobKey, mimeType: image.mimeType };
  return { key: await putReference(deps, image.data, image.mimeType), mimeType: image.mimeType };
}

/**
 * Content-addressed: the same reference bytes are kept once. A new one is journalled (pendingBlobs) until
 * the row that uses it exists: the image (history) or the pipeline (a job's references, see
 * {@link referencesWritten}).
 */
async function putReference(deps: ImageJobDeps, data: Buffer, mimeType: string): Promise<string> {
  const key = `refs/${createHash('sha256').update(data).digest('hex')}.${extensionForMime(mimeType)}`;
  if (!(await deps.blobs.exists(key))) await putTracked(deps.blobs, key, data);
  return key;
}

/** The job's references are in a row now (its pipeline): they are no longer pending. */
export async function referencesWritten(deps: Pick<ImageJobDeps, 'blobs'>, job: ImageJob): Promise<void> {
  for (const ref of job.references)
    if ('key' in ref && ref.key.startsWith('refs/')) await clearPending(deps.blobs, ref.key);
}
