/**
 * The in-chat gallery, an MCP Apps view (`ui://nanobanana/gallery.html`): the images of a generate_image,
 * edit_image or get_image call at full quality with their size, model and cost; live progress while a
 * pipeline still runs; buttons for a variation, an edit, an upscale and a download, which call the server's
 * app-only tools through the host. Vanilla TypeScript on the ext-apps `App` class, themed by the host.
 * scripts/buildApp.mjs bundles it with gallery.html and gallery.css into one self-contained HTML file.
 */
import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps';

/** The parts of a tool result the gallery reads. */
interface ToolResult {
  content?: Array<{ type: string; text?: string; uri?: string; data?: string; mimeType?: string }>;
  structuredContent?: Record<string, unknown>;
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

interface GalleryImage {
  id: string;
  /** A data: URL (full image, or the inline preview when the host cannot read resources) or the image URL. */
  src: string;
  /** The full image, base64, when it was read as a resource. */
  data?: string;
  mimeType: string;
  width?: number;
  height?: number;
  model?: string;
  modelDetail?: string;
  size?: string;
  ratio?: string;
  bytes?: string;
  cost?: string;
  prompt?: string;
  url?: string;
}

/** Long-poll step for get_image: progress is refreshed at least this often. */
const POLL_SECONDS = 3;
const SIZES = ['512', '1K', '2K', '4K'];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  main: $<HTMLElement>('gallery'),
  status: $<HTMLParagraphElement>('status'),
  progress: $<HTMLProgressElement>('progress'),
  error: $<HTMLParagraphElement>('error'),
  stage: $<HTMLElement>('stage'),
  image: $<HTMLImageElement>('image'),
  details: $<HTMLElement>('details'),
  thumbs: $<HTMLDivElement>('thumbs'),
  actions: $<HTMLFieldSetElement>('actions'),
  variation: $<HTMLButtonElement>('variation'),
  instruction: $<HTMLInputElement>('instruction'),
  editButton: $<HTMLButtonElement>('edit-button'),
  upscale2k: $<HTMLButtonElement>('upscale-2k'),
  upscale4k: $<HTMLButtonElement>('upscale-4k'),
  download: $<HTMLButtonElement>('download'),
};
const actionControls = [ui.variation, ui.instruction, ui.editButton, ui.upscale2k, ui.upscale4k];

const images: GalleryImage[] = [];
const madeHere: string[] = [];
let selected = -1;
let busy = 0;
let closed = false;
let gotResult = false;

const app = new App({ name: 'nanobanana-gallery', version: '1.0.0' }, {}, { autoResize: true });

app.ontoolinput = ({ arguments: args }) => {
  const what = args?.prompt ?? args?.instruction;
  if (!gotResult && typeof what === 'string') {
    announce(`Working on “${truncate(what, 80)}”…`);
    showProgress(undefined);
  }
};
app.ontoolresult = (result) => {
  gotResult = true;
  void run(async () => {
    const shown = await showResult(result as ToolResult);
    if (shown.length > 0) announce(ready(shown));
  });
};
app.ontoolcancelled = () => {
  gotResult = true;
  showProgress(null);
  announce('The request was cancelled.');
  setBusy(0);
};
app.onhostcontextchanged = (context) => applyHostContext(context);
app.onteardown = async () => {
  closed = true;
  return {};
};

ui.variation.addEventListener('click', () => void act('Variation', 'app_variation', {}));
// No <form>: hosts' sandboxes need not allow form submission, so Enter and the button are wired directly.
ui.editButton.addEventListener('click', () => void edit());
ui.instruction.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.isComposing) return;
  event.preventDefault();
  void edit();
});
for (const button of [ui.upscale2k, ui.upscale4k]) {
  const size = button.dataset.size ?? '2K';
  button.addEventListener('click', () => void act(`Upscale to ${size}`, 'app_upscale', { size }));
}
ui.download.addEventListener('click', () => void download());
ui.thumbs.addEventListener('keydown', onThumbKey);

await app.connect();
applyHostContext(app.getHostContext());
if (!app.getHostCapabilities()?.serverTools) {
  for (const control of actionControls) control.hidden = true;
  ui.instruction.labels?.forEach((label) => {
    label.hidden = true;
  });
}

// --- Results ------------------------------------------------------------------------------------------

/** Shows what a tool result brought: its images, and progress for its pipelines still running. */
async function showResult(result: ToolResult): Promise<GalleryImage[]> {
  const text = (result.content ?? [])
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('\n');
  if (result.isError) {
    showError(text || 'The request failed.');
    return [];
  }
  const ids = (result.content ?? []).flatMap((b) => {
    const match = b.type === 'resource_link' ? /^images:\/\/(img_[A-Za-z0-9]+)$/.exec(b.uri ?? '') : null;
    return match?.[1] ? [match[1]] : [];
  });
  const previews = (result.content ?? []).filter((b) => b.type === 'image');
  const details = parseDetails(text);
  const added = await Promise.all(ids.map((id, index) => loadImage(id, details.get(id) ?? {}, previews[index])));
  for (const image of added) images.push(image);
  if (added.length > 0) select(images.length - added.length);

  const snapshot = result.structuredContent as Partial<Snapshot> | undefined;
  const running =
    snapshot?.pipeline_id && (snapshot.status === 'queued' || snapshot.status === 'running')
      ? [snapshot.pipeline_id]
      : handedOver(text);
  if (running.length > 0) {
    const followed = await Promise.all(running.map((id, i) => follow(id, running.length > 1 ? i + 1 : 0)));
    added.push(...followed.flat());
  } else if (added.length === 0 && images.length === 0) {
    showError(text || 'This result has no image.');
  }
  if (running.length === 0) showProgress(null);
  return added;
}

/** Pipeline ids generate_image handed over to get_image when its synchronous limit passed. */
function handedOver(text: string): string[] {
  const sentence = /Still running after [^:]*: ([^\n]*?) \(status running\)/.exec(text)?.[1] ?? '';
  return sentence.match(/pl_[A-Za-z0-9]+/g) ?? [];
}

/** Long-polls get_image until the pipeline ends, announcing its stage and progress. */
async function follow(pipelineId: string, number: number): Promise<GalleryImage[]> {
  const label = number ? `Image ${number}: ` : '';
  for (;;) {
    if (closed) return [];
    const result = (await app.callServerTool({
      name: 'get_image',
      arguments: { pipeline_id: pipelineId, wait_seconds: POLL_SECONDS },
    })) as ToolResult;
    const snapshot = result.structuredContent as Snapshot | undefined;
    if (result.isError || !snapshot) return showResult(result);
    if (snapshot.status === 'completed') return showResult({ content: result.content });
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
  id: string,
  details: Partial<GalleryImage>,
  preview: { data?: string; mimeType?: string } | undefined,
): Promise<GalleryImage> {
  if (app.getHostCapabilities()?.serverResources) {
    try {
      const read = await app.readServerResource({ uri: `images://${id}` });
      const content = read.contents[0] as { blob?: string; mimeType?: string } | undefined;
      if (content?.blob) {
        const mimeType = content.mimeType ?? 'image/png';
        return { ...details, id, mimeType, data: content.blob, src: `data:${mimeType};base64,${content.blob}` };
      }
    } catch {
      // Fall back to what the result itself carries.
    }
  }
  if (preview?.data) {
    const mimeType = preview.mimeType ?? 'image/jpeg';
    return { mimeType: 'image/png', ...details, id, src: `data:${mimeType};base64,${preview.data}` };
  }
  return { mimeType: 'image/png', ...details, id, src: details.url ?? '' };
}

/** Size, model, cost and prompt of each image, from the result text (see src/tools/renderImages.ts). */
function parseDetails(text: string): Map<string, Partial<GalleryImage>> {
  const found = new Map<string, Partial<GalleryImage>>();
  for (const block of text.split(/^(?=Image img_)/m)) {
    const id = /^Image (img_[A-Za-z0-9]+)$/m.exec(block)?.[1];
    if (!id) continue;
    const field = (name: string) => new RegExp(`^- ${name}: (.*)$`, 'm').exec(block)?.[1];
    const model = field('model');
    const size = /^(\S+), ratio (\S+), (\d+)x(\d+) px, ([^,]+), (.+)$/.exec(field('size') ?? '');
    found.set(id, {
      model: model?.replace(/ \(.*\)$/, ''),
      modelDetail: model,
      size: size?.[1],
      ratio: size?.[2],
      width: size?.[3] ? Number(size[3]) : undefined,
      height: size?.[4] ? Number(size[4]) : undefined,
      mimeType: size?.[5],
      bytes: size?.[6],
      cost: field('estimated cost'),
      url: field('url'),
      prompt: field('prompt'),
    });
  }
  return found;
}

// --- Actions ------------------------------------------------------------------------------------------

/** Runs a button's app-only tool on the image on show; resolves true when it made an image. */
async function act(label: string, tool: string, args: Record<string, unknown>): Promise<boolean> {
  const image = images[selected];
  if (!image || busy > 0) return false;
  let made: GalleryImage[] = [];
  await run(async () => {
    announce(`${label}: working…`);
    showProgress(undefined);
    const result = (await app.callServerTool({ name: tool, arguments: { image: image.id, ...args } })) as ToolResult;
    made = await showResult(result);
    if (made.length > 0) {
      announce(ready(made, label));
      for (const m of made) madeHere.push(`${m.id} (${label.toLowerCase()} of ${image.id})`);
      tellModel();
    }
  });
  return made.length > 0;
}

async function edit(): Promise<void> {
  const instruction = ui.instruction.value.trim();
  if (!instruction) {
    announce('Type what to change in the image, then choose Edit.');
    ui.instruction.focus();
    return;
  }
  if (await act(`Edit “${truncate(instruction, 60)}”`, 'app_edit', { instruction })) ui.instruction.value = '';
}

/** Lets the assistant know, for later turns, which images the person made in the gallery. */
function tellModel(): void {
  if (!app.getHostCapabilities()?.updateModelContext) return;
  const text = `Images the person made with the in-chat gallery buttons (use these ids to refer to them): ${madeHere.join('; ')}.`;
  app.updateModelContext({ content: [{ type: 'text', text }] }).catch(() => undefined);
}

async function download(): Promise<void> {
  const image = images[selected];
  if (!image) return;
  const name = `${image.id}.${extension(image.mimeType)}`;
  try {
    if (image.data && app.getHostCapabilities()?.downloadFile) {
      const { isError } = await app.downloadFile({
        contents: [
          { type: 'resource', resource: { uri: `file:///${name}`, mimeType: image.mimeType, blob: image.data } },
        ],
      });
      announce(isError ? 'The download was cancelled.' : `Downloading ${name}.`);
      return;
    }
    if (image.url && app.getHostCapabilities()?.openLinks) {
      await app.openLink({ url: image.url });
      return;
    }
    const link = document.createElement('a');
    link.href = image.src;
    link.download = name;
    link.click();
  } catch (error) {
    showError(`The download failed: ${messageOf(error)}`);
  }
}

async function run(task: () => Promise<void>): Promise<void> {
  setBusy(busy + 1);
  hideError();
  try {
    await task();
  } catch (error) {
    showError(messageOf(error));
  } finally {
    setBusy(busy - 1);
    if (busy === 0) showProgress(null);
  }
}

// --- Rendering ----------------------------------------------------------------------------------------

function select(index: number, focus = false): void {
  const image = images[index];
  if (!image) return;
  selected = index;
  ui.stage.hidden = false;
  ui.actions.hidden = false;
  ui.image.src = image.src;
  ui.image.alt = image.prompt ? `Generated image: ${image.prompt}` : `Image ${image.id}`;
  if (image.width && image.height) {
    ui.image.width = image.width;
    ui.image.height = image.height;
  } else {
    ui.image.removeAttribute('width');
    ui.image.removeAttribute('height');
  }
  renderDetails(image);
  const rank = SIZES.indexOf(image.size ?? '1K');
  ui.upscale2k.disabled = busy > 0 || rank >= SIZES.indexOf('2K');
  ui.upscale4k.disabled = busy > 0 || rank >= SIZES.indexOf('4K');
  ui.download.disabled = !image.src;
  renderThumbs(focus);
}

function renderDetails(image: GalleryImage): void {
  ui.details.replaceChildren();
  const name = document.createElement('strong');
  name.textContent = image.model ?? 'Image';
  if (image.modelDetail) name.title = image.modelDetail;
  ui.details.append(name, ` · ${describe(image)} · ${image.id}`);
}

/** "Image ready, 1024×1024 px · …", or "Variation: image ready, …" after a button. */
function ready(shown: GalleryImage[], label?: string): string {
  const [first] = shown;
  const what = shown.length === 1 && first ? `image ready, ${describe(first)}.` : `${shown.length} images ready.`;
  return label ? `${label}: ${what}` : `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
}

function describe(image: GalleryImage): string {
  return [
    image.width && image.height ? `${image.width}×${image.height} px` : undefined,
    image.size,
    image.ratio,
    image.cost ? `${image.cost} estimated` : undefined,
    image.bytes,
  ]
    .filter(Boolean)
    .join(' · ');
}

function renderThumbs(focus: boolean): void {
  ui.thumbs.hidden = images.length < 2;
  if (images.length < 2) return;
  const options = images.map((image, index) => {
    const option = document.createElement('button');
    option.type = 'button';
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', String(index === selected));
    option.setAttribute('aria-label', `Image ${index + 1} of ${images.length}${image.size ? `, ${image.size}` : ''}`);
    option.tabIndex = index === selected ? 0 : -1;
    const thumb = document.createElement('img');
    thumb.src = image.src;
    thumb.alt = '';
    option.append(thumb);
    option.addEventListener('click', () => select(index, true));
    return option;
  });
  ui.thumbs.replaceChildren(...options);
  if (focus) options[selected]?.focus();
}

/** Arrow keys, Home and End move through the thumbnails (one tab stop for the whole strip). */
function onThumbKey(event: KeyboardEvent): void {
  const moves: Record<string, number> = {
    ArrowRight: selected + 1,
    ArrowDown: selected + 1,
    ArrowLeft: selected - 1,
    ArrowUp: selected - 1,
    Home: 0,
    End: images.length - 1,
  };
  const next = moves[event.key];
  if (next === undefined) return;
  event.preventDefault();
  select(Math.max(0, Math.min(images.length - 1, next)), true);
}

function setBusy(count: number): void {
  busy = Math.max(0, count);
  ui.main.setAttribute('aria-busy', String(busy > 0 || !gotResult));
  for (const control of actionControls) {
    if (control instanceof HTMLButtonElement || control instanceof HTMLInputElement) control.disabled = busy > 0;
  }
  if (busy === 0 && selected >= 0) select(selected);
}

function announce(message: string): void {
  ui.status.textContent = message;
}

/** A percentage, `undefined` for an indeterminate bar, or null to hide it. */
function showProgress(percent: number | undefined | null): void {
  ui.progress.hidden = percent === null;
  if (typeof percent === 'number') ui.progress.value = percent;
  else ui.progress.removeAttribute('value');
}

function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
  announce('');
}

function hideError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

function applyHostContext(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

function extension(mimeType: string): string {
  return mimeType === 'image/jpeg' ? 'jpg' : (mimeType.split('/')[1] ?? 'png');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
