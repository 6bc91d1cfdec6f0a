/**
 * The gallery's page: its elements, what it holds (the images shown, the one on show, calls in flight) and
 * how that is drawn and announced. Knows nothing of tool results (results.ts) or buttons (gallery.ts).
 */
import {
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps';
import type { ImageSummary } from '../core/imageSummary.js';

/** An image on show: where its pixels come from, and its summary (README, "Image JSON"). */
export interface GalleryImage {
  id: string;
  /** A data: URL (full image, or the inline preview when the host cannot read resources) or the image URL. */
  src: string;
  /** The full image, base64, when it was read as a resource. */
  data?: string;
  mimeType: string;
  summary: ImageSummary;
}

const SIZES = ['512', '1K', '2K', '4K'];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export const ui = {
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
export const actionControls = [ui.variation, ui.instruction, ui.editButton, ui.upscale2k, ui.upscale4k];

/** What the view holds. */
export const state = {
  images: [] as GalleryImage[],
  /** Index of the image on show, -1 before the first. */
  selected: -1,
  /** Calls in flight (the buttons are disabled while any runs). */
  busy: 0,
  /** The host tore the view down: stop polling. */
  closed: false,
  /** A result (or a cancellation) arrived. */
  gotResult: false,
};

/** Adds images and shows the first of them. */
export function addImages(added: GalleryImage[]): void {
  state.images.push(...added);
  if (added.length > 0) select(state.images.length - added.length);
}

export function select(index: number, focus = false): void {
  const image = state.images[index];
  if (!image) return;
  const s = image.summary;
  state.selected = index;
  ui.stage.hidden = false;
  ui.actions.hidden = false;
  ui.image.src = image.src;
  ui.image.alt = `Generated image: ${truncate(s.prompt, 300)}`;
  ui.image.width = s.width;
  ui.image.height = s.height;
  renderDetails(image);
  const rank = SIZES.indexOf(s.image_size);
  ui.upscale2k.disabled = state.busy > 0 || rank >= SIZES.indexOf('2K');
  ui.upscale4k.disabled = state.busy > 0 || rank >= SIZES.indexOf('4K');
  ui.download.disabled = !image.src;
  renderThumbs(focus);
}

function renderDetails(image: GalleryImage): void {
  const s = image.summary;
  ui.details.replaceChildren();
  const name = document.createElement('strong');
  name.textContent = s.model_name ?? s.model;
  name.title = s.model_name ? `${s.model_name} (${s.model}, ${s.model_id})` : s.model_id;
  ui.details.append(name, ` · ${describe(image)} · ${image.id}`);
}

/** "Image ready, 1024×1024 px · …", or "Variation: image ready, …" after a button. */
export function ready(shown: GalleryImage[], label?: string): string {
  const [first] = shown;
  const what = shown.length === 1 && first ? `image ready, ${describe(first)}.` : `${shown.length} images ready.`;
  return label ? `${label}: ${what}` : `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
}

function describe(image: GalleryImage): string {
  const s = image.summary;
  const cost =
    s.cost_usd === null ? 'cost unknown' : `$${s.cost_usd.toFixed(4)} estimated${s.emulated ? ' (emulated)' : ''}`;
  return [`${s.width}×${s.height} px`, s.image_size, s.aspect_ratio, cost, formatBytes(s.bytes)].join(' · ');
}

function renderThumbs(focus: boolean): void {
  const { images, selected } = state;
  ui.thumbs.hidden = images.length < 2;
  if (images.length < 2) return;
  const options = images.map((image, index) => {
    const option = document.createElement('button');
    option.type = 'button';
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', String(index === selected));
    option.setAttribute('aria-label', `Image ${index + 1} of ${images.length}, ${image.summary.image_size}`);
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
export function onThumbKey(event: KeyboardEvent): void {
  const { images, selected } = state;
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

export function setBusy(count: number): void {
  state.busy = Math.max(0, count);
  ui.main.setAttribute('aria-busy', String(state.busy > 0 || !state.gotResult));
  for (const control of actionControls) {
    if (control instanceof HTMLButtonElement || control instanceof HTMLInputElement) control.disabled = state.busy > 0;
  }
  if (state.busy === 0 && state.selected >= 0) select(state.selected);
}

export function announce(message: string): void {
  ui.status.textContent = message;
}

/** A percentage, `undefined` for an indeterminate bar, or null to hide it. */
export function showProgress(percent: number | undefined | null): void {
  ui.progress.hidden = percent === null;
  if (typeof percent === 'number') ui.progress.value = percent;
  else ui.progress.removeAttribute('value');
}

export function showError(message: string): void {
  ui.error.textContent = message;
  ui.error.hidden = false;
  announce('');
}

export function hideError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

export function applyHostContext(context: McpUiHostContext | undefined): void {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${Math.round(bytes / 1e3)} KB`;
}
