/**
 * The studio: generate and edit images, store them with their lineage and conversation, list them.
 * Knows nothing of MCP or HTTP; tools and routes are thin layers over it.
 * @module
 */
import { createHash } from 'node:crypto';
import type { PathPolicy } from './allowedPaths.js';
import { AppError, CancelledError, InvalidInputError } from './errors.js';
import { type ResolvedOptions, resolveGenerationOptions } from './generationOptions.js';
import { dehydrateHistory, rehydrateHistory } from './history.js';
import { readImageInfo } from './imaging.js';
import type { Logger } from './logger.js';
import { extensionForMime } from './mime.js';
import { estimateCostUsd, type ModelRegistry } from './models.js';
import { writeOutputCopies } from './outputFiles.js';
import type {
  BlobStore,
  GeminiContent,
  GenerateImageResult,
  ImageGenerator,
  ImagePage,
  ImageRecord,
  ImageRepository,
  ReferenceImage,
} from './ports.js';
import { getOwnedImage, type LoadedReference, loadReference, looksLikeImageId } from './references.js';

export interface StudioDeps {
  registry: ModelRegistry;
  generator: ImageGenerator;
  images: ImageRepository;
  blobs: BlobStore;
  newImageId: () => string;
  log: Logger;
  maxReferenceBytes: number;
  now?: () => Date;
}

/** Who is calling and what the call may touch. */
export interface CallContext {
  ownerId: string;
  isAdmin?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Present where local paths are allowed (stdio). */
  paths?: PathPolicy;
  /** The caller's preferred model, used when a call names none. */
  defaultModel?: string;
}

export interface ProgressEvent {
  progress: number;
  total: number;
  message: string;
}

export interface CommonImageOptions {
  model?: string;
  imageSize?: string;
  aspectRatio?: string;
  negativePrompt?: string;
  systemInstruction?: string;
  referenceImages?: string[];
  thinkingLevel?: string;
  grounding?: boolean;
  seed?: number;
  outputPath?: string;
}

export interface GenerateInput extends CommonImageOptions {
  prompt: string;
  n: number;
}

export interface EditInput extends CommonImageOptions {
  /** An image id, or (stdio) a path. */
  image: string;
  instruction: string;
}

export interface StudioImage {
  record: ImageRecord;
  data: Buffer;
  /** Absolute path of the stored file (local store). */
  storedPath?: string;
  /** Absolute path of the copy written to `output_path`. */
  outputPath?: string;
  /** Text the model said with the image. */
  modelText?: string;
  groundingSources?: Array<{ uri: string; title?: string }>;
}

export interface StudioResult {
  images: StudioImage[];
  /** Errors of the images that failed when others succeeded (n > 1). */
  failures: AppError[];
}

/** Progress steps per image: calling Gemini, saving, done. */
const STEPS_PER_IMAGE = 3;

export interface Studio {
  generate(input: GenerateInput, ctx: CallContext): Promise<StudioResult>;
  edit(input: EditInput, ctx: CallContext): Promise<StudioResult>;
  get(id: string, ctx: CallContext): Promise<ImageRecord>;
  list(ctx: CallContext, query: { limit: number; cursor?: string; search?: string }): Promise<ImagePage>;
  children(id: string, ctx: CallContext): Promise<ImageRecord[]>;
  readImage(record: ImageRecord): Promise<Buffer>;
  localPath(record: ImageRecord): string | undefined;
  registry: ModelRegistry;
}

export function createStudio(deps: StudioDeps): Studio {
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ area: 'studio' });

  async function loadReferences(values: string[] | undefined, ctx: CallContext): Promise<LoadedReference[]> {
    const refCtx = { ownerId: ctx.ownerId, isAdmin: ctx.isAdmin, paths: ctx.paths, maxBytes: deps.maxReferenceBytes };
    return Promise.all((values ?? []).map((v) => loadReference(v, refCtx, deps)));
  }

  async function run(
    job: {
      prompt: string;
      n: number;
      options: ResolvedOptions;
      input: CommonImageOptions;
      references: ReferenceImage[];
      history?: GeminiContent[];
      parentId: string | null;
      kind: ImageRecord['kind'];
    },
    ctx: CallContext,
  ): Promise<StudioResult> {
    const { options, n } = job;
    const total = n * STEPS_PER_IMAGE;
    let done = 0;
    const step = (index: number, message: string) => {
      done += 1;
      ctx.onProgress?.({ progress: done, total, message: n > 1 ? `Image ${index + 1}/${n}: ${message}` : message });
    };
    const label = `${options.model.alias}, ${options.imageSize}, ${options.aspectRatio}`;
    const one = async (index: number): Promise<StudioImage> => {
      step(index, `calling Gemini (${label})`);
      const result = await deps.generator.generateImage({
        model: options.model.id,
        prompt: job.prompt,
        negativePrompt: job.input.negativePrompt,
        systemInstruction: job.input.systemInstruction,
        aspectRatio: options.aspectRatio,
        imageSize: options.model.sendsImageSize ? options.imageSize : undefined,
        referenceImages: job.references,
        thinkingLevel: options.thinkingLevel?.toUpperCase(),
        grounding: options.grounding || undefined,
        history: job.history,
        seed: job.input.seed === undefined ? undefined : job.input.seed + index,
        signal: ctx.signal,
        onRetry: ({ attempt, delayMs, reason }) =>
          ctx.onProgress?.({
            progress: done,
            total,
            message: `Gemini: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`,
          }),
      });
      step(index, 'saving');
      const image = await store(result, job, ctx.ownerId);
      step(index, 'done');
      return image;
    };
    const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => one(i)));
    const images = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [toAppError(s.reason)] : []));
    if (images.length === 0) throw failures[0] ?? new AppError('No image was produced.');
    if (job.input.outputPath && ctx.paths) {
      const written = await writeOutputCopies(
        images.map((i) => ({ id: i.record.id, prompt: job.prompt, data: i.data, mimeType: i.record.mimeType })),
        job.input.outputPath,
        ctx.paths,
      );
      images.forEach((image, i) => {
        image.outputPath = written[i];
      });
    }
    for (const failure of failures)
      log.warn({ err: failure.message, code: failure.code }, 'one image of several failed');
    return { images, failures };
  }

  async function store(
    result: GenerateImageResult,
    job: {
      prompt: string;
      options: ResolvedOptions;
      input: CommonImageOptions;
      parentId: string | null;
      kind: ImageRecord['kind'];
    },
    ownerId: string,
  ): Promise<StudioImage> {
    const id = deps.newImageId();
    const info = await readImageInfo(result.data);
    const created = now();
    const month = `${created.getUTCFullYear()}/${String(created.getUTCMonth() + 1).padStart(2, '0')}`;
    const blobKey = `images/${month}/${id}.${extensionForMime(result.mimeType)}`;
    // Blob first, then row: a crash in between leaves an orphan file that start-up reconciliation removes.
    await deps.blobs.put(blobKey, result.data);
    const history = await dehydrateHistory(result.history, async (data, mimeType) => {
      if (data.equals(result.data)) return blobKey;
      const key = `refs/${createHash('sha256').update(data).digest('hex')}.${extensionForMime(mimeType)}`;
      if (!(await deps.blobs.exists(key))) await deps.blobs.put(key, data);
      return key;
    });
    const { options } = job;
    const record: ImageRecord = {
      id,
      ownerId,
      parentId: job.parentId,
      kind: job.kind,
      prompt: job.prompt,
      negativePrompt: job.input.negativePrompt ?? null,
      modelId: options.model.id,
      modelAlias: options.model.alias,
      imageSize: options.imageSize,
      aspectRatio: options.aspectRatio,
      width: info.width,
      height: info.height,
      mimeType: result.mimeType,
      bytes: result.data.length,
      blobKey,
      promptTokens: result.usage.promptTokens,
      imageTokens: result.usage.imageTokens,
      thoughtsTokens: result.usage.thoughtsTokens,
      totalTokens: result.usage.totalTokens,
      costUsd: estimateCostUsd(options.model, options.imageSize),
      createdAt: created.toISOString(),
      history,
      options: JSON.stringify({
        thinkingLevel: options.thinkingLevel,
        grounding: options.grounding,
        systemInstruction: job.input.systemInstruction,
        referenceImages: job.input.referenceImages,
        seed: job.input.seed,
        modelText: result.text,
        groundingSources: result.groundingSources,
        attempts: result.attempts,
      }),
    };
    await deps.images.insert(record);
    log.info({ id, model: options.model.id, size: options.imageSize, bytes: record.bytes }, 'image stored');
    return {
      record,
      data: result.data,
      storedPath: deps.blobs.localPath(blobKey),
      modelText: result.text,
      groundingSources: result.groundingSources,
    };
  }

  return {
    registry: deps.registry,

    async generate(input, ctx) {
      const prompt = input.prompt.trim();
      if (!prompt) throw new InvalidInputError('The prompt is empty. Describe the image you want.');
      const options = resolveGenerationOptions(
        deps.registry,
        { ...input, referenceCount: input.referenceImages?.length ?? 0 },
        { defaultModel: ctx.defaultModel },
      );
      const refs = await loadReferences(input.referenceImages, ctx);
      return run(
        { prompt, n: input.n, options, input, references: refs.map((r) => r.image), parentId: null, kind: 'generate' },
        ctx,
      );
    },

    async edit(input, ctx) {
      const instruction = input.instruction.trim();
      if (!instruction) throw new InvalidInputError('The instruction is empty. Say what to change in the image.');
      const [source] = await loadReferences([input.image], ctx);
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
      const extra = await loadReferences(input.referenceImages, ctx);
      // Continue the image's own conversation when the same model made it: its thought signatures are only
      // valid for that model. Otherwise start a new one with the image as the first reference.
      const continues = parent?.history && parent.modelId === options.model.id && options.model.multiTurn;
      const history =
        continues && parent.history ? await rehydrateHistory(parent.history, (key) => deps.blobs.get(key)) : undefined;
      const references = continues ? extra.map((r) => r.image) : [source.image, ...extra.map((r) => r.image)];
      return run(
        { prompt: instruction, n: 1, options, input, references, history, parentId: parent?.id ?? null, kind: 'edit' },
        ctx,
      );
    },

    get: (id, ctx) => getOwnedImage(id, ctx, deps.images),

    async list(ctx, query) {
      return deps.images.list({ ...query, ownerId: ctx.isAdmin ? undefined : ctx.ownerId });
    },

    async children(id, ctx) {
      await getOwnedImage(id, ctx, deps.images);
      const kids = await deps.images.children(id);
      return ctx.isAdmin ? kids : kids.filter((k) => k.ownerId === ctx.ownerId);
    },

    readImage: (record) => deps.blobs.get(record.blobKey),
    localPath: (record) => deps.blobs.localPath(record.blobKey),
  };
}

export { looksLikeImageId };

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new CancelledError('The request was cancelled.');
  return new AppError(error instanceof Error ? error.message : String(error), { cause: error });
}
