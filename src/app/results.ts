/**
 * Reading tool results: only their machine-readable parts, never the prose meant for the model. Image
 * results carry `_meta["nanobanana-studio/result"]` (src/tools/mcpApp.ts: the images as the README's
 * "Image JSON", and the pipelines still running); get_image's snapshot before its image is ready comes as
 * `structuredContent`. The text is only ever shown, for an error.
 */
import type { App } from '@modelcontextprotocol/ext-apps';
import type { ImageSummary } from '../core/imageSummary.js';
import type { ResultData, RESULT_META_KEY as ResultMetaKey } from '../tools/mcpApp.js';
import { addImages, announce, type GalleryImage, showError, showProgress, state } from './view.js';

/** Checked against the server's constant by the type checker (a type-only import: the view bundles no server code). */
const RESULT_META_KEY: typeof ResultMetaKey = 'nanobanana-studio/result';

/** Long-poll step for get_image: progress is refreshed at least this often. */
const POLL_SECONDS = 3;

/** The parts of a tool result the gallery reads. */
export interface ToolResult {
  content?: Array<{ type: string; text?: string; uri?: string; data?: string; mimeType?: string }>;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
  isError?: boolean;
}

/** get_image's structured snapshot (absent once it answers with the image). */
interface Snapshot {
  pipeline_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  progress_percent: number;
  stage?: string;
  error?: { code: string; message: string };
}

/** Shows what a tool result brought: its images, and progress for its pipelines still running. */
export async function showResult(app: App, result: ToolResult): Promise<GalleryImage[]> {
  if (result.isError) {
    showError(textOf(result) || 'The request failed.');
    return [];
  }
  const data = resultData(result);
  // Previews come in the order of the images (none when the host reads the full images as resources).
  const previews = (result.content ?? []).filter((b) => b.type === 'image');
  const added = await Promise.all(
    (data?.images ?? []).map((summary, index) => loadImage(app, summary, previews[index])),
  );
  addImages(added);

  const snapshot = result.structuredContent as Partial<Snapshot> | undefined;
  const running =
    snapshot?.pipeline_id && (snapshot.status === 'queued' || snapshot.status === 'running')
      ? [snapshot.pipeline_id]
      : (data?.running_pipelines ?? []);
  if (running.length > 0) {
    const followed = await Promise.all(running.map((id, i) => follow(app, id, running.length > 1 ? i + 1 : 0)));
    added.push(...followed.flat());
  } else if (added.length === 0 && state.images.length === 0) {
    showError(textOf(result) || 'This result has no image.');
  }
  if (running.length === 0) showProgress(null);
  return added;
}

/** The result's machine-readable part, if it has one of the expected shape. */
function resultData(result: ToolResult): ResultData | undefined {
  const data = result._meta?.[RESULT_META_KEY] as Partial<ResultData> | undefined;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.images)) return undefined;
  return { images: data.images, running_pipelines: data.running_pipelines ?? [] };
}

/** Long-polls get_image until the pipeline ends, announcing its stage and progress. */
async function follow(app: App, pipelineId: string, number: number): Promise<GalleryImage[]> {
  const label = number ? `Image ${number}: ` : '';
  for (;;) {
    if (state.closed) return [];
    const result = (await app.callServerTool({
      name: 'get_image',
      arguments: { pipeline_id: pipelineId, wait_seconds: POLL_SECONDS },
    })) as ToolResult;
    const snapshot = result.structuredContent as Snapshot | undefined;
    if (result.isError || !snapshot) return showResult(app, result);
    if (snapshot.status === 'completed') return showResult(app, { content: result.content, _meta: result._meta });
    if (snapshot.status === 'failed' || snapshot.status === 'cancelled') {
      showError(`${label}${snapshot.error?.message ?? `the pipeline was ${snapshot.status}.`}`);
      return [];
    }
    const stage = snapshot.status === 'queued' ? 'queued' : (snapshot.stage ?? 'running');
    announce(`${label}${stage} (${snapshot.progress_percent}%)…`);
    showProgress(snapshot.progress_percent);
  }
}

/** One image: the full bytes as a resource when the host can read resources, else the inline preview. */
async function loadImage(
  app: App,
  summary: ImageSummary,
  preview: { data?: string; mimeType?: string } | undefined,
): Promise<GalleryImage> {
  const image = { id: summary.id, mimeType: summary.mime_type, summary };
  if (app.getHostCapabilities()?.serverResources) {
    try {
      const read = await app.readServerResource({ uri: `images://${summary.id}` });
      const content = read.contents[0] as { blob?: string; mimeType?: string } | undefined;
      if (content?.blob) {
        const mimeType = content.mimeType ?? summary.mime_type;
        return { ...image, mimeType, data: content.blob, src: `data:${mimeType};base64,${content.blob}` };
      }
    } catch {
      // Fall back to what the result itself carries.
    }
  }
  if (preview?.data) return { ...image, src: `data:${preview.mimeType ?? 'image/jpeg'};base64,${preview.data}` };
  return { ...image, src: summary.url ?? '' };
}

function textOf(result: ToolResult): string {
  return (result.content ?? [])
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('\n');
}
