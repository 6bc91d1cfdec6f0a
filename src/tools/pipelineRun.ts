/**
 * How image tools use pipelines: submit, stream progress while waiting up to the synchronous limit, then
 * render what finished and hand what is still running over to get_image. Also renders pipeline snapshots.
 * @module
 */
import { AppError } from '../core/errors.js';
import { makePreview } from '../core/imaging.js';
import { runBatch } from '../core/pipelines/batch.js';
import { isTerminal } from '../core/pipelines/engine.js';
import type { ImagePipelineSpec } from '../core/pipelines/spec.js';
import type { PipelineRecord } from '../core/pipelines/types.js';
import type { ImageRecord } from '../core/ports.js';
import { loadStudioImage, type StudioImage } from '../core/studio.js';
import type { ToolResponse } from '../mcp/toolResponse.js';
import type { StudioToolContext } from './context.js';
import { renderImages } from './renderImages.js';

export async function runPipelinesAndRespond(
  ctx: StudioToolContext,
  specs: ImagePipelineSpec[],
  res: ToolResponse,
  options: { returnFullImage?: boolean },
): Promise<void> {
  const {
    records: final,
    completed,
    failed,
    running,
  } = await runBatch(ctx.pipelines, specs, ctx.call, {
    timeoutMs: ctx.syncLimitMs,
    signal: ctx.call.signal,
    onChange: progressReporter(ctx, specs.length),
    onNotice: ctx.call.onNotice ? (notice) => ctx.call.onNotice?.(notice) : undefined,
  });
  if (completed.length === 0 && running.length === 0) {
    throw new AppError(failed[0]?.error ?? 'No image was produced.');
  }
  const images = await Promise.all(completed.map((r) => loadImage(ctx, r.resultImageId as string)));
  const notes: string[] = [];
  // What a completed pipeline left out on the way (an enhance the budget had no room for), said once.
  const skipped = new Set(
    completed.flatMap((r) =>
      r.stages
        .filter((st) => st.name === 'enhance-image' && st.state === 'skipped' && st.error)
        .map((st) => st.error as string),
    ),
  );
  notes.push(...skipped);
  if (failed.length > 0) {
    notes.push(
      `${completed.length} of ${final.length} images were made. The others failed: ${failed.map((f) => f.error).join(' | ')}`,
    );
  }
  await renderImages(ctx, images, res, {
    returnFullImage: options.returnFullImage,
    heading: notes.join('\n') || undefined,
    running: running.map((r) => r.id),
  });
  if (running.length > 0) {
    res.addText(
      `Still running after ${Math.round(ctx.syncLimitMs / 1000)} s: ${running.map((r) => r.id).join(', ')} (status running). Call get_image with each pipeline_id and wait_seconds (up to 270) to fetch the result when it is ready.`,
    );
  }
}

/** One stored image with what the result text shows. */
export function loadImage(ctx: StudioToolContext, id: string): Promise<StudioImage> {
  return loadStudioImage(ctx.studio, id, ctx.call);
}

/** The structured snapshot of a pipeline (get_image, cancel_pipeline). */
export async function snapshotOf(ctx: StudioToolContext, record: PipelineRecord) {
  const results: Array<{ image_id: string; url?: string; path?: string; thumbnail?: string }> = [];
  let image: StudioImage | undefined;
  if (record.status === 'completed' && record.resultImageId) {
    image = await loadImage(ctx, record.resultImageId);
    const thumb = await makePreview(image.data, infoOf(image.record), { maxBase64Bytes: 24_000, maxEdge: 256 });
    const url = await ctx.imageUrl(image.record);
    results.push({
      image_id: image.record.id,
      ...(url ? { url } : {}),
      ...(image.storedPath && ctx.transport === 'stdio' ? { path: image.storedPath } : {}),
      ...(thumb ? { thumbnail: `data:${thumb.mimeType};base64,${thumb.data.toString('base64')}` } : {}),
    });
  }
  return {
    image,
    structured: {
      pipeline_id: record.id,
      status: record.status,
      progress_percent: record.progressPercent,
      ...(record.stage ? { stage: record.stage } : {}),
      stages: record.stages.map((s) => ({
        name: s.name,
        state: s.state,
        ...(s.startedAt ? { started_at: s.startedAt } : {}),
        ...(s.finishedAt ? { finished_at: s.finishedAt } : {}),
      })),
      results,
      ...(record.error ? { error: { code: record.errorCode ?? 'error', message: record.error } } : {}),
    },
  };
}

/** Sends a progress notification each time a stage of one of the `n` pipelines starts or the pipeline ends. */
function progressReporter(
  ctx: StudioToolContext,
  n: number,
): ((record: PipelineRecord, index: number) => void) | undefined {
  const onProgress = ctx.call.onProgress;
  if (!onProgress) return undefined;
  const percent = new Map<number, number>();
  const lastKey = new Map<number, string>();
  const label = (index: number) => (n > 1 ? `Image ${index + 1}/${n}: ` : '');
  return (record, index) => {
    const key = `${record.status}:${record.stage}`;
    if (lastKey.get(index) === key) return;
    lastKey.set(index, key);
    percent.set(index, record.progressPercent);
    const total = [...percent.values()].reduce((a, b) => a + b, 0);
    const what = isTerminal(record)
      ? record.status
      : record.status === 'running' && record.stage
        ? record.stage
        : record.status;
    if (record.status === 'queued' || (record.status === 'running' && !record.stage)) return;
    onProgress({ progress: total, total: 100 * n, message: `${label(index)}${what} (${record.progressPercent}%)` });
  };
}

function infoOf(record: ImageRecord) {
  return { width: record.width, height: record.height, mimeType: record.mimeType };
}
