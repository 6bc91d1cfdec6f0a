/**
 * Draws the emulator's "generated" images: a deterministic picture that shows what was asked (prompt text,
 * model, size, pixel dimensions) so a person looking at a demo understands it, at exactly the pixel size the real
 * model returns, with film-grain noise so file sizes land in the range of real outputs.
 *
 * Rendering is the expensive part of the emulator, so the SVG is rasterised at a reduced scale for huge outputs,
 * and finished images are kept in a small LRU cache keyed by every input that influences the bytes.
 * @module
 */
import sharp from 'sharp';
import { hash32, prng, sha256 } from './hash.js';
import { encode, escapeXml, footerBand, type RenderInput } from './picture.js';
import { drawFromSource } from './renderEdit.js';

export interface RenderedImage {
  bytes: Buffer;
  base64: string;
  width: number;
  height: number;
  /** Milliseconds this call spent rendering (0 on a cache hit). */
  renderMs: number;
}

/** SVG rasterisation is capped at about this many pixels; larger outputs are upscaled afterwards. */
const MAX_SVG_PIXELS = 2_500_000;
const UPSCALE_KERNEL = 'linear';
const NOISE_TILE = 256;
const MAX_CACHE_BYTES = 512 * 1024 * 1024;
const MAX_PROMPT_CHARS = 280;

export class ImageRenderer {
  private readonly cache = new Map<string, Promise<Omit<RenderedImage, 'renderMs'>>>();
  /** Bytes held per resolved entry (raw + base64), for the memory bound. */
  private readonly sizes = new Map<string, number>();
  private readonly capacity: number;

  constructor(capacity = 64) {
    this.capacity = capacity;
  }

  async render(input: RenderInput): Promise<RenderedImage> {
    return this.cached(renderKey(input, 'final'), () => draw(input));
  }

  /**
   * The interim "thought" image: a small, desaturated draft of the final picture. Distinct bytes on purpose,
   * so that a client that shows the thought image instead of the answer is caught.
   */
  async renderDraft(input: RenderInput): Promise<RenderedImage> {
    return this.cached(renderKey(input, 'draft'), async () => {
      const final = await this.render(input);
      const bytes = await sharp(final.bytes)
        .resize({ width: 512, height: 512, fit: 'inside' })
        .modulate({ saturation: 0.25, brightness: 0.9 })
        .jpeg({ quality: 70 })
        .toBuffer();
      const meta = await sharp(bytes).metadata();
      return { bytes, base64: bytes.toString('base64'), width: meta.width ?? 0, height: meta.height ?? 0 };
    });
  }

  private async cached(key: string, make: () => Promise<Omit<RenderedImage, 'renderMs'>>): Promise<RenderedImage> {
    const hit = this.cache.get(key);
    if (hit) {
      // Refresh recency: Map iteration order is insertion order, so re-insert at the end.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { ...(await hit), renderMs: 0 };
    }
    const started = performance.now();
    const pending = make();
    this.cache.set(key, pending);
    try {
      const image = await pending;
      if (this.cache.get(key) === pending) this.sizes.set(key, image.bytes.length + image.base64.length);
      this.evict();
      return { ...image, renderMs: performance.now() - started };
    } catch (error) {
      this.cache.delete(key);
      throw error;
    }
  }

  /** Drops least recently used entries beyond the entry count or the memory budget (4K images are MBs). */
  private evict(): void {
    let bytes = 0;
    for (const size of this.sizes.values()) bytes += size;
    for (const key of this.cache.keys()) {
      if (this.cache.size <= this.capacity && bytes <= MAX_CACHE_BYTES) break;
      bytes -= this.sizes.get(key) ?? 0;
      this.cache.delete(key);
      this.sizes.delete(key);
    }
  }

  clear(): void {
    this.cache.clear();
    this.sizes.clear();
  }
}

function renderKey(input: RenderInput, variant: string): string {
  return JSON.stringify([
    variant,
    input.modelId,
    input.prompt,
    input.sizeLabel,
    input.width,
    input.height,
    input.seed,
    input.encoding,
    input.referenceCount,
    input.source === undefined ? '' : sha256(input.source).toString('hex'),
  ]);
}

async function draw(input: RenderInput): Promise<Omit<RenderedImage, 'renderMs'>> {
  const { width, height } = input;
  if (input.source !== undefined) {
    const bytes = await drawFromSource(input, input.source);
    return { bytes, base64: bytes.toString('base64'), width, height };
  }
  const scale = Math.min(1, Math.sqrt(MAX_SVG_PIXELS / (width * height)));
  const svgWidth = Math.max(1, Math.round(width * scale));
  const svgHeight = Math.max(1, Math.round(height * scale));
  const seed = hash32(`${input.prompt}\u0000${input.seed}`);
  const svg = buildSvg(input, svgWidth, svgHeight, hash32(input.prompt), seed);

  // Grain is added at the rasterisation scale: compositing at full 4K size costs several times more.
  const tile = Math.min(NOISE_TILE, svgWidth, svgHeight);
  let pipeline = sharp(Buffer.from(svg))
    .removeAlpha()
    .composite([
      {
        input: noiseTile(seed, tile, input.encoding === 'png' ? 10 : 22),
        raw: { width: tile, height: tile, channels: 3 },
        tile: true,
        blend: 'overlay',
      },
    ]);
  if (svgWidth !== width || svgHeight !== height) {
    const small = await pipeline.raw().toBuffer();
    pipeline = sharp(small, { raw: { width: svgWidth, height: svgHeight, channels: 3 } }).resize(width, height, {
      fit: 'fill',
      kernel: UPSCALE_KERNEL,
    });
  }
  const bytes = await encode(pipeline, input.encoding);
  return { bytes, base64: bytes.toString('base64'), width, height };
}

/** Mid-grey tile with seeded grain; overlay-blended it adds texture without shifting the colours. */
function noiseTile(seed: number, size: number, amplitude: number): Buffer {
  const random = prng(seed ^ 0x9e3779b9);
  const tile = Buffer.alloc(size * size * 3);
  for (let i = 0; i < tile.length; i += 3) {
    const luma = (random() + random() - 1) * amplitude;
    tile[i] = clampByte(128 + luma + (random() - 0.5) * amplitude * 0.5);
    tile[i + 1] = clampByte(128 + luma + (random() - 0.5) * amplitude * 0.5);
    tile[i + 2] = clampByte(128 + luma + (random() - 0.5) * amplitude * 0.5);
  }
  return tile;
}

function clampByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/**
 * The picture, laid out in full-size coordinates (viewBox) and rasterised at `svgWidth` x `svgHeight`.
 * Layout adapts to extreme ratios (8:1 strips, 1:8 towers) by sizing type against both dimensions.
 */
function buildSvg(input: RenderInput, svgWidth: number, svgHeight: number, layoutSeed: number, seed: number): string {
  const { width: w, height: h } = input;
  // The composition comes from the prompt; the seed moves it a little (a variation is the same picture, changed).
  const random = prng(layoutSeed);
  const vary = prng(seed);
  const hue = (Math.floor(random() * 360) + Math.floor((vary() - 0.5) * 60) + 360) % 360;
  const hue2 = (hue + 40 + Math.floor(random() * 120)) % 360;
  const unit = Math.min(w, h);
  const margin = Math.round(unit * 0.06);

  const shapes: string[] = [];
  const shapeCount = 7 + Math.floor(random() * 6);
  for (let i = 0; i < shapeCount; i++) {
    const x = Math.round((random() + (vary() - 0.5) * 0.16) * w);
    const y = Math.round((random() + (vary() - 0.5) * 0.16) * h);
    const r = Math.round(unit * (0.1 + random() * 0.45));
    const fill = `hsl(${(hue + Math.floor(random() * 180)) % 360},${55 + Math.floor(random() * 35)}%,${35 + Math.floor(random() * 35)}%)`;
    const opacity = (0.2 + random() * 0.35).toFixed(2);
    if (random() < 0.5) {
      shapes.push(`<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" fill-opacity="${opacity}"/>`);
    } else {
      const rot = Math.floor(random() * 90);
      shapes.push(
        `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${Math.round(r * (0.6 + random()))}" rx="${Math.round(r * 0.15)}" fill="${fill}" fill-opacity="${opacity}" transform="rotate(${rot} ${x} ${y})"/>`,
      );
    }
  }

  const refs = input.referenceCount > 0 ? ` · ${input.referenceCount} ref` : '';
  const footer = footerBand(w, h, `${input.modelId} · ${input.sizeLabel} · ${w}×${h}${refs}`, 0.55);

  const boxWidth = w - 2 * margin;
  const boxHeight = h - 2 * margin - footer.height;
  const prompt = cleanPrompt(input.prompt);
  const { lines, fontSize } = fitText(prompt, boxWidth, boxHeight);
  const lineHeight = fontSize * 1.2;
  const textTop = margin + (boxHeight - lines.length * lineHeight) / 2 + fontSize * 0.9;
  const tspans = lines
    .map((line, i) => `<tspan x="${w / 2}" y="${(textTop + i * lineHeight).toFixed(1)}">${escapeXml(line)}</tspan>`)
    .join('');

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${svgHeight}" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none">`,
    '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">',
    `<stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${hue2},65%,22%)"/>`,
    '</linearGradient></defs>',
    `<rect width="${w}" height="${h}" fill="url(#bg)"/>`,
    ...shapes,
    `<text font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="${fontSize.toFixed(1)}" fill="#ffffff" stroke="#000000" stroke-opacity="0.55" stroke-width="${(fontSize * 0.06).toFixed(1)}" paint-order="stroke" text-anchor="middle">${tspans}</text>`,
    footer.svg,
    '</svg>',
  ].join('');
}

function cleanPrompt(prompt: string): string {
  const text = prompt.replace(/\s+/g, ' ').trim() || '(no prompt)';
  return text.length > MAX_PROMPT_CHARS ? `${text.slice(0, MAX_PROMPT_CHARS - 1)}…` : text;
}

/** Largest font size at which the wrapped prompt fits the box (DejaVu Sans Bold is ~0.62 em per glyph). */
function fitText(text: string, boxWidth: number, boxHeight: number): { lines: string[]; fontSize: number } {
  let fontSize = Math.max(8, Math.min(boxHeight * 0.4, boxWidth * 0.12));
  for (;;) {
    const maxChars = Math.max(4, Math.floor(boxWidth / (fontSize * 0.62)));
    const lines = wrap(text, maxChars);
    if (lines.length * fontSize * 1.2 <= boxHeight || fontSize <= 8) {
      const maxLines = Math.max(1, Math.floor(boxHeight / (fontSize * 1.2)));
      if (lines.length > maxLines) {
        const kept = lines.slice(0, maxLines);
        kept[maxLines - 1] = `${(kept[maxLines - 1] ?? '').slice(0, Math.max(1, maxChars - 1))}…`;
        return { lines: kept, fontSize };
      }
      return { lines, fontSize };
    }
    fontSize *= 0.9;
  }
}

function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (let word of text.split(' ')) {
    while (word.length > maxChars) {
      if (current) {
        lines.push(current);
        current = '';
      }
      lines.push(word.slice(0, maxChars));
      word = word.slice(maxChars);
    }
    if (!current) current = word;
    else if (current.length + 1 + word.length <= maxChars) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
