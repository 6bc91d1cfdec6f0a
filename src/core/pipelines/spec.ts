/**
 * What an image pipeline does, as stored in its `input` column.
 * @module
 */
import type { ImageJob } from '../imageJobs.js';

export interface ImagePipelineSpec {
  job: ImageJob;
  /** Run the engineer-prompt stage (rewrite a raw prompt with the text model). */
  autoStyle: boolean;
  /** Run the enhance-image stage. */
  enhance: boolean;
  /** The concept the prompt came from, if any. */
  conceptId?: string;
  /** A saved style's guide for the engineer-prompt stage (instead of the server's), and its name. */
  style?: { name: string; guide: string };
  /** Brand colours (#RRGGBB) for the colour-adjust stage (core/palette.ts). */
  palette?: string[];
}

export function encodeSpec(spec: ImagePipelineSpec): string {
  return JSON.stringify(spec);
}

export function decodeSpec(input: string): ImagePipelineSpec {
  return JSON.parse(input) as ImagePipelineSpec;
}
