/**
 * The colour-adjust stage: the brand palette applied to the generated image (core/palette.ts), and what
 * it changed, kept as the stage's output (and so in the pipeline record).
 * @module
 */
import { applyPaletteToImage } from '../palette.js';
import type { GenerateImageResult } from '../ports.js';

export async function adjustColours(
  result: GenerateImageResult,
  palette: readonly string[],
): Promise<{ result: GenerateImageResult; output: Record<string, unknown>; summary: Record<string, unknown> }> {
  const adjusted = await applyPaletteToImage(result.data, palette);
  const { report } = adjusted;
  return {
    // The history keeps the model's own image: an edit continues the conversation the model had.
    result: { ...result, data: adjusted.data, mimeType: adjusted.mimeType },
    output: {
      palette: report.palette,
      toleranceDeg: report.toleranceDeg,
      changedPixels: report.changedPixels,
      totalPixels: report.totalPixels,
      changes: report.changes,
    },
    // What the image's record keeps (its page shows it).
    summary: { palette: report.palette, changedPixels: report.changedPixels, totalPixels: report.totalPixels },
  };
}
