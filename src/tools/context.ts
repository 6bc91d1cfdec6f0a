/**
 * What every studio tool handler receives: the studio, who is calling and what they may touch, and how
 * results are to be shaped for this transport.
 * @module
 */

import type { PipelineEngine } from '../core/pipelines/engine.js';
import type { ImageRecord } from '../core/ports.js';
import type { CallContext, Studio } from '../core/studio.js';
import type { UploadService } from '../core/uploads.js';

export interface ResultShape {
  /** What image tools return inline by default. */
  imageResponses: 'preview' | 'full' | 'none';
  maxResultBytes: number;
  maxPreviewBytes: number;
  /** Longest side of an inline preview, in pixels. */
  previewEdge: number;
}

export interface StudioToolContext {
  studio: Studio;
  pipelines: PipelineEngine;
  /** How long synchronous image tools wait before handing over to get_image. */
  syncLimitMs: number;
  /** Default of generate_image's auto_style. */
  autoStyle: boolean;
  call: CallContext;
  transport: 'stdio' | 'http';
  /** The browser/client URL of an image (a presigned S3 link, or `/i/` over HTTP), if there is one. */
  imageUrl(record: ImageRecord): Promise<string | undefined>;
  shape: ResultShape;
  /** Uploaded files (upload_file, list_uploads, delete_upload). */
  uploads?: UploadService;
  /** Lists the person's templates again as prompts (after studio_library saved or deleted one). */
  onTemplatesChanged?: () => Promise<void>;
}
