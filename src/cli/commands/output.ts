/**
 * What commands print on stdout: short lines for people, or with `--json` one JSON document for scripts
 * (snake_case keys, absolute paths, costs in USD).
 * @module
 */
import { recordIsEmulated } from '../../core/emulatedRegistry.js';
import { costKnown, imageSummary } from '../../core/imageSummary.js';
import type { ModelRegistry } from '../../core/models.js';
import type { ImageRecord } from '../../core/ports.js';
import type { StudioImage } from '../../core/studio.js';

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeLines(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

export function usd(value: number): string {
  return `$${value.toFixed(4)}`;
}

/** An image as `--json` shows it: the studio's one image JSON (README, "Image JSON"), with its pipeline id. */
export function imageJson(
  record: ImageRecord,
  registry: ModelRegistry,
  extra: { path?: string; outputPath?: string; outputKept?: string; outputError?: string; pipelineId?: string },
) {
  const { pipelineId, ...where } = extra;
  const summary = imageSummary(record, registry, where);
  return pipelineId ? { ...summary, pipeline_id: pipelineId } : summary;
}

/** The cost column: unknown for a pass-through model, marked for an emulated image. */
function costOf(record: ImageRecord): string {
  if (!costKnown(record)) return 'cost unknown';
  return recordIsEmulated(record) ? `${usd(record.costUsd)} (emulated)` : usd(record.costUsd);
}

/** One line per new image: id, model and size, pixels, cost, the stored file and the `--out` copy. */
export function imageLine(image: StudioImage): string {
  const r = image.record;
  const parts = [
    r.id,
    `${r.modelAlias} ${r.imageSize} ${r.aspectRatio}`,
    `${r.width}x${r.height}`,
    costOf(r),
    image.storedPath ?? r.blobKey,
  ];
  if (image.outputPath) parts.push(`-> ${image.outputPath}`);
  if (image.outputKept) parts.push(`(${image.outputKept} was there already and was kept)`);
  if (image.outputError) parts.push(`(not saved to ${image.outputError})`);
  return parts.join('  ');
}

/** One line per listed image: id, local time, model and size, pixels, cost, the prompt's start. */
export function listLine(record: ImageRecord): string {
  const prompt = record.prompt.replace(/\s+/g, ' ').trim();
  return [
    record.id,
    localTime(record.createdAt),
    `${record.modelAlias} ${record.imageSize} ${record.aspectRatio}`,
    `${record.width}x${record.height}`,
    costOf(record),
    `${record.parentId ? `[edit of ${record.parentId}] ` : ''}${prompt.length > 70 ? `${prompt.slice(0, 69)}…` : prompt}`,
  ].join('  ');
}

function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
