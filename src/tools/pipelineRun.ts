/**
 * How image tools use pipelines: submit, stream progress while waiting up to the synchronous limit, then
 * render what finished and hand what is still running over to get_image. Also renders pipeline snapshots.
 * @module
 */
import { AppError, CancelledError } from '../core/errors.js';
import { makePreview } from '../core/imaging.js';
import { isTerminal } from '../core/pipelines/engine.js';
import type { ImagePipelineSpec } from '../core/pipelines/spec.js';
import type { PipelineRecord } from '../core/pipelines/types.js';
import type { ImageRecord } from '../core/ports.js';
import type { StudioImage } from '../core/studio.js';
import type { ToolResponse } from '../mcp/toolResponse.js';
import type { StudioToolContext } from './context.js';
import { renderImages } from './renderImages.js';

export async function runPipelinesAndRespond(
  ctx: StudioToolContext,
  specs: ImagePipelineSpec[],
  res: ToolResponse,
  options: { returnFullImage?: boolean },
): Promise<void> {
  const caller = ctx.call;
  const records = await ctx.pipelines.submit(specs, caller);
  const ids = records.map((r) => r.id);
  const stopProgress = reportProgress(ctx, records);
  const cancelAll = () => {
    for (const id of ids) void ctx.pipelines.cancel(id, caller).catch(() => undefined);
  };
  ctx.call.signal?.addEventListener('abort', cancelAll, { once: true });
  let final: PipelineRecord[];
  try {
    final = await ctx.pipelines.wait(ids, caller, ctx.syncLimitMs, ctx.call.signal);
  } finally {
    stopProgress();
    ctx.call.signal?.removeEventListener('abort', cancelAll);
  }
  if (ctx.call.signal?.aborted)
    throw new CancelledError('The request was cancelled; its pipelines were cancelled too.');

  const completed = final.filter((r) => r.status === 'completed');
  const failed = final.filter((r) => r.status === 'failed' || r.status === 'cancelled');
  const running = final.filter((r) => !isTerminal(r));
  if (completed.length === 0 && running.length === 0) {
    throw new AppError(failed[0]?.error ?? 'No image was produced.');
  }
  const images = await Promise.all(completed.map((r) => loadImage(ctx, r.resultImageId as string)));
  const notes: string[] = [];
  if (failed.length > 0) {
    notes.push(
      `${completed.length} of ${final.length} images were made. The others failed: ${failed.map((f) => f.error).join(' | ')}`,
    );
  }
  await renderImages(ctx, images, res, {
    returnFullImage: options.returnFullImage,
    heading: notes.join('\n') || undefined,
  });
  if (running.length > 0) {
    res.addText(
      `Still running after ${Math.round(ctx.syncLimitMs / 1000)} s: ${running.map((r) => r.id).join(', ')} (status running). Call get_image with each pipeline_id and wait_seconds (up to 270) to fetch the result when it is ready.`,
    );
  }
}

/** One stored image with what the result text shows. */
export async function loadImage(ctx: StudioToolContext, id: string): Promise<StudioImage> {
  const record = await ctx.studio.get(id, ctx.call);
  const data = await ctx.studio.readImage(record);
  const options = JSON.parse(record.options) as {
    modelText?: string;
    groundingSources?: StudioImage['groundingSources'];
    savedTo?: string;
  };
  return {
    record,
    data,
    storedPath: ctx.studio.localPath(record),
    outputPath: options.savedTo,
    modelText: options.modelText,
    groundingSources: options.groundingSources,
  };
}

/** The structured snapshot of a pipeline (get_image, cancel_pipeline). */
export async function snapshotOf(ctx: StudioToolContext, record: PipelineRecord) {
  const results: Array<{ image_id: string; url?: string; path?: string; thumbnail?: string }> = [];
  let image: StudioImage | undefined;
  if (record.status === 'completed' && record.resultImageId) {
    image = await loadImage(ctx, record.resultImageId);
    const thumb = await makePreview(image.data, infoOf(image.record), { maxBase64Bytes: 24_000, maxEdge: 256 });
    results.push({
      image_id: image.record.id,
      ...(ctx.imageUrl(image.record) ? { url: ctx.imageUrl(image.record) } : {}),
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
      stage: record.stage,
      stages: record.stages.map((s) => ({
        name: s.name,
        state: s.state,
        started_at: s.startedAt,
        finished_at: s.finishedAt,
      })),
      results,
      error: record.error ? { code: record.errorCode ?? 'error', message: record.error } : null,
    },
  };
}

/** Sends a progress notification each time a stage of one of these pipelines starts or the pipeline ends. */
function reportProgress(ctx: StudioToolContext, records: PipelineRecord[]): () => void {
  const onProgress = ctx.call.onProgress;
  if (!onProgress) return () => {};
  const n = records.length;
  const index = new Map(records.map((r, i) => [r.id, i]));
  const percent = new Map(records.map((r) => [r.id, 0]));
  const lastKey = new Map<string, string>();
  const label = (id: string) => (n > 1 ? `Image ${(index.get(id) ?? 0) + 1}/${n}: ` : '');
  return ctx.pipelines.onChange((record) => {
    if (!index.has(record.id)) return;
    const key = `${record.status}:${record.stage}`;
    if (lastKey.get(record.id) === key) return;
    lastKey.set(record.id, key);
    percent.set(record.id, record.progressPercent);
    const total = [...percent.values()].reduce((a, b) => a + b, 0);
    const what = isTerminal(record)
      ? record.status
      : record.status === 'running' && record.stage
        ? record.stage
        : record.status;
    if (record.status === 'queued' || (record.status === 'running' && !record.stage)) return;
    onProgress({ progress: total, total: 100 * n, message: `${label(record.id)}${what} (${record.progressPercent}%)` });
  });
}

function infoOf(record: ImageRecord) {
  return { width: record.width, height: record.height, mimeType: record.mimeType };
}
