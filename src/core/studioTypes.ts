/**
 * The shapes the studio, its image jobs, output copies and the budget share: who is calling, what they ask
 * for, a planned job (plain JSON, persisted by pipelines) and a made image. Types only, and importing no
 * module that imports them back, so core/studio, core/imageJobs and core/spending form no import cycle.
 * @module
 */
import type { PathPolicy } from './allowedPaths.js';
import type { NoticeSink } from './callNotices.js';
import type { Preview } from './imaging.js';
import type { Logger } from './logger.js';
import type { ImageSize, ModelRegistry } from './models.js';
import type { BlobStore, ImageGenerator, ImageRecord, ImageRepository } from './ports.js';
import type { UploadService } from './uploads.js';

/** Who is calling and what the call may touch. */
export interface CallContext {
  ownerId: string;
  isAdmin?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** What the person should hear while the call runs (retries, fallbacks, conversions). */
  onNotice?: NoticeSink;
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
  /** With outputPath: replace a file already there (otherwise the copy gets a new name). */
  overwrite?: boolean;
  /**
   * With outputPath: a name that does not exist yet and has no image extension (.png, .jpg, .jpeg, .webp)
   * is a folder to make, as the CLI's `--out` reads it; otherwise such a name is a file given the image's
   * extension.
   */
  outputNewNameIsFolder?: boolean;
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
  /** The file that was already at the asked-for `output_path`, kept (the copy got another name). */
  outputKept?: string;
  /** Why the `output_path` copy could not be written (the image itself is stored). */
  outputError?: string;
  /** Text the model said with the image. */
  modelText?: string;
  groundingSources?: Array<{ uri: string; title?: string }>;
  /** Said once in the result: a deprecated model, a default that fell back, a converted reference. */
  notices?: string[];
  /** The preview started when the image was stored (core/freshImages.ts), if it is still held. */
  firstPreview?: Promise<Preview | undefined>;
}

export interface ImageJobDeps {
  registry: ModelRegistry;
  generator: ImageGenerator;
  images: ImageRepository;
  blobs: BlobStore;
  newImageId: () => string;
  log: Logger;
  maxReferenceBytes: number;
  /** Longest side of inline previews (STUDIO_PREVIEW_EDGE); imaging's default when absent. */
  previewEdge?: number;
  /**
   * Results show a preview by default (STUDIO_IMAGE_RESPONSES is not `none`): start it while the image is
   * written. False: none is made unless a result asks (return_full_image), and the thumbnail reads the file.
   */
  eagerPreview?: boolean;
  now: () => Date;
  /** Resolves upload ids (`upl_…`) when a job runs, re-uploading an expired Gemini copy. */
  uploads?: Pick<UploadService, 'referenceFor' | 'get'>;
}

/** A reference kept for the job: bytes in the blob store, or a Gemini file. */
export type JobReference =
  | { key: string; mimeType: string }
  | { fileUri: string; mimeType: string }
  | {
      uploadId: string;
      mimeType: string /** Whose upload (an admin may use anyone's); the job's owner when absent. */;
      ownerId?: string;
    };

/** Everything needed to make one image, as JSON. */
export interface ImageJob {
  kind: 'generate' | 'edit';
  ownerId: string;
  /** The id the image will have: reserved up front so a resumed run can tell it was already stored. */
  imageId: string;
  /** Position in its batch (seeds are offset by it). */
  index: number;
  prompt: string;
  negativePrompt?: string;
  systemInstruction?: string;
  seed?: number;
  modelAlias: string;
  imageSize: ImageSize;
  aspectRatio: string;
  thinkingLevel?: string;
  grounding: boolean;
  references: JobReference[];
  /** For edits: the image edited, and whether to continue its conversation. */
  parentId: string | null;
  continueConversation: boolean;
  /** Absolute, already checked against the allowed roots (stdio only). */
  outputPath?: string;
  /** Told once in the result: a deprecated model, a retired default that fell back, a converted reference. */
  notices?: string[];
  /** Replace a file already at outputPath (otherwise the copy gets a new name). */
  outputOverwrite?: boolean;
  /** Folders never written to (the data folder), checked again when the copy is written. */
  outputProtected?: string[];
  /** Copy the options the caller gave, for the record. */
  requested: Pick<CommonImageOptions, 'referenceImages'>;
}
