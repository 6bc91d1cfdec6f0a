/**
 * What every studio tool handler receives: the studio, who is calling and what they may touch, and how
 * results are to be shaped for this transport.
 * @module
 */

import type { ImageRecord } from '../core/ports.js';
import type { CallContext, Studio } from '../core/studio.js';

export interface ResultShape {
  /** What image tools return inline by default. */
  imageResponses: 'preview' | 'full' | 'none';
  maxResultBytes: number;
  maxPreviewBytes: number;
}

export interface StudioToolContext {
  studio: Studio;
  call: CallContext;
  transport: 'stdio' | 'http';
  /** The browser/client URL of an image (HTTP), if this server serves images. */
  imageUrl(record: ImageRecord): string | undefined;
  shape: ResultShape;
}
