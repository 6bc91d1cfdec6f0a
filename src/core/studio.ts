/**
 * The studio: plans image jobs (validated options, references kept) and answers gallery queries. Making
 * the images is the pipelines' work (core/pipelines). Knows nothing of MCP or HTTP.
 * @module
 */

import { AccessTokens } from './accessTokens.js';
import { takeFresh } from './freshImages.js';
import { planEdit, planGeneration } from './imageJobs.js';
import type { ModelRegistry } from './models.js';
import type {
  AccessTokenRepository,
  ImageCostSummary,
  ImagePage,
  ImageRecord,
  SpendingRepository,
  UserSettingsRepository,
} from './ports.js';
import { canSeeImage, getOwnedImage } from './references.js';
import { SpendingGuard } from './spending.js';
import type { StudioLibrary } from './studioLibrary.js';
import type { CallContext, EditInput, GenerateInput, ImageJob, ImageJobDeps, StudioImage } from './studioTypes.js';
import { readThumbnail, thumbnailKey } from './thumbnails.js';
import type { UploadService } from './uploads.js';
import { UserSettings } from './userSettings.js';

export type {
  CallContext,
  CommonImageOptions,
  EditInput,
  GenerateInput,
  ProgressEvent,
  StudioImage,
} from './studioTypes.js';

export interface StudioDeps extends Omit<ImageJobDeps, 'now' | 'uploads'> {
  now?: () => Date;
  /** Uploaded files (`upl_…` ids as references); without it, upload ids are refused. */
  uploads?: UploadService;
  /** The cost ledger, budgets and rate limits behind {@link Studio.spending}. */
  ledger: SpendingRepository;
  /** Personal access tokens behind {@link Studio.accessTokens}. */
  accessTokens: { repo: AccessTokenRepository; newId: () => string };
  /** Per-person settings behind {@link Studio.settings}. */
  settings: UserSettingsRepository;
}

/** The owner of everything made on this machine without accounts: the MCP servers and the command line. */
export const LOCAL_OWNER = 'local';

export interface Studio {
  registry: ModelRegistry;
  /** What the pipeline engine needs to make images. */
  jobs: ImageJobDeps;
  /** Validates a generation and plans its `n` image jobs (references loaded and kept). */
  planGeneration(input: GenerateInput, ctx: CallContext): Promise<ImageJob[]>;
  planEdit(input: EditInput, ctx: CallContext): Promise<ImageJob>;
  get(id: string, ctx: Pick<CallContext, 'ownerId' | 'isAdmin'>): Promise<ImageRecord>;
  list(
    ctx: Pick<CallContext, 'ownerId' | 'isAdmin'>,
    query: { limit: number; cursor?: string; search?: string },
  ): Promise<ImagePage>;
  children(id: string, ctx: Pick<CallContext, 'ownerId' | 'isAdmin'>): Promise<ImageRecord[]>;
  /** Deletes an image the caller may see, and its file (its edits keep existing, without a parent). */
  delete(id: string, ctx: Pick<CallContext, 'ownerId' | 'isAdmin'>): Promise<ImageRecord>;
  /**
   * What the caller's Gemini image calls cost, from the ledger (deleting an image refunds nothing): all
   * time by model, and by UTC day since `since` (ISO 8601).
   */
  costSummary(ctx: Pick<CallContext, 'ownerId' | 'isAdmin'>, query: { since: string }): Promise<ImageCostSummary>;
  readImage(record: ImageRecord): Promise<Buffer>;
  /** The gallery thumbnail (WebP, THUMB_EDGE px), made when the image was stored. */
  readThumbnail(record: ImageRecord): Promise<Buffer>;
  localPath(record: ImageRecord): string | undefined;
  uploads?: UploadService;
  /** Budgets and rate limits, checked by the pipeline engine; admins change them here. */
  spending: SpendingGuard;
  /** Personal access tokens for clients that only take a header. */
  accessTokens: AccessTokens;
  /** What each person chose for themselves (their default model). */
  settings: UserSettings;
  /** Palettes, styles and prompt templates people keep (set once the text model is wired, see cli/createRuntime). */
  library?: StudioLibrary;
}

export function createStudio(deps: StudioDeps): Studio {
  const { ledger, accessTokens, settings, ...jobDeps } = deps;
  const jobs: ImageJobDeps = {
    ...jobDeps,
    now: deps.now ?? (() => new Date()),
    log: deps.log.child({ area: 'studio' }),
  };
  const spending = new SpendingGuard({
    repo: ledger,
    registry: deps.registry,
    log: deps.log.child({ area: 'spending' }),
    now: deps.now,
  });
  return {
    registry: deps.registry,
    accessTokens: new AccessTokens(accessTokens.repo, accessTokens.newId, deps.now),
    settings: new UserSettings(settings, deps.registry),
    jobs,
    planGeneration: (input, ctx) => planGeneration(jobs, input, ctx),
    planEdit: (input, ctx) => planEdit(jobs, input, ctx),
    get: (id, ctx) => getOwnedImage(id, ctx, deps.images),

    async list(ctx, query) {
      return deps.images.list({ ...query, ownerId: ctx.isAdmin ? undefined : ctx.ownerId });
    },

    async children(id, ctx) {
      await getOwnedImage(id, ctx, deps.images);
      const kids = await deps.images.children(id);
      return ctx.isAdmin ? kids : kids.filter((k) => k.ownerId === ctx.ownerId);
    },

    async delete(id, ctx) {
      const record = await getOwnedImage(id, ctx, deps.images);
      await deps.images.delete(record.id);
      // The row is gone first: a file left behind is swept by the start-up reconciliation.
      await deps.blobs
        .delete(record.blobKey)
        .catch((err) => jobs.log.warn({ err, id: record.id }, 'image file not deleted'));
      await deps.blobs.delete(thumbnailKey(record.id)).catch(() => {});
      return record;
    },

    costSummary: (ctx, query) => spending.costSummary({ ...query, ownerId: ctx.isAdmin ? undefined : ctx.ownerId }),

    readImage: (record) => deps.blobs.get(record.blobKey),
    readThumbnail: (record) => readThumbnail(deps.blobs, record),
    localPath: (record) => deps.blobs.localPath(record.blobKey),
    uploads: deps.uploads,
    spending,
  };
}

/** One stored image the caller may see, with its bytes and what its record keeps (the `output_path` copy, …). */
export async function loadStudioImage(
  studio: Studio,
  id: string,
  ctx: Pick<CallContext, 'ownerId' | 'isAdmin'>,
): Promise<StudioImage> {
  // Just stored for this caller: its row and bytes are in memory (for whoever studio.get would let see it;
  // anyone else reads, and is refused, as for any image).
  const fresh = takeFresh(id, (r) => canSeeImage(r, ctx));
  const record = fresh?.record ?? (await studio.get(id, ctx));
  const data = fresh?.data ?? (await studio.readImage(record));
  const options = JSON.parse(record.options) as {
    modelText?: string;
    groundingSources?: StudioImage['groundingSources'];
    savedTo?: string;
    notices?: string[];
    keptExisting?: string;
    outputError?: string;
  };
  return {
    record,
    data,
    storedPath: studio.localPath(record),
    outputPath: options.savedTo,
    outputKept: options.keptExisting,
    outputError: options.outputError,
    modelText: options.modelText,
    groundingSources: options.groundingSources,
    notices: options.notices,
    firstPreview: fresh?.firstPreview,
  };
}
