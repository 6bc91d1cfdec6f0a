/**
 * The emulator's edits, upscales and variations of an earlier picture: the same picture, resized to the
 * requested pixels and visibly changed in a way derived from the instruction (colour, light), with the
 * emulator's footer saying what was done. An upscale changes nothing but the size.
 * @module
 */
import sharp from 'sharp';
import { hash32 } from './hash.js';

export interface EditInput {
  modelId: string;
  prompt: string;
  sizeLabel: string;
  width: number;
  height: number;
  seed: number;
  encoding: 'jpeg' | 'png';
}

const UPSCALE = /\b(upscale|upscaled|higher[- ]resolution|larger|enlarge|same image at|at (2|4)k)\b/i;
const DARKER = /\b(night|dark|darker|evening|moon|midnight|shadow)/i;
const WARMER = /\b(warm|warmer|sunset|golden|autumn|fire)/i;
const COOLER = /\b(cold|cool|cooler|winter|snow|ice|blue)/i;

export async function drawFromSource(input: EditInput, source: Buffer): Promise<Buffer> {
  const { width, height } = input;
  const instruction = input.prompt.replace(/\s+/g, ' ').trim();
  const upscale = UPSCALE.test(instruction);
  let picture = sharp(source, { failOn: 'none' }).removeAlpha().resize(width, height, { fit: 'cover' });
  if (upscale) {
    picture = picture.sharpen();
  } else {
    const h = hash32(`${instruction}\u0000${input.seed}`);
    picture = picture.modulate({
      hue: 25 + (h % 70),
      brightness: DARKER.test(instruction) ? 0.55 : 1.05,
      saturation: COOLER.test(instruction) ? 0.7 : 1.2,
    });
    if (WARMER.test(instruction)) picture = picture.tint({ r: 255, g: 190, b: 120 });
    else if (COOLER.test(instruction)) picture = picture.tint({ r: 150, g: 190, b: 255 });
  }
  const raw = await picture.raw().toBuffer();
  const what = upscale ? `upscaled to ${width}×${height}` : `edit: ${excerpt(instruction, 80)}`;
  const overlay = footerSvg(
    width,
    height,
    'SYNTHETIC — Gemini emulator',
    `${what} · ${input.modelId} · ${input.sizeLabel}`,
  );
  const out = sharp(raw, { raw: { width, height, channels: 3 } }).composite([
    { input: Buffer.from(overlay), top: 0, left: 0 },
  ]);
  return input.encoding === 'png'
    ? out.png({ compressionLevel: 6 }).toBuffer()
    : out.jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
}

/** The same footer band as a freshly drawn picture (render.ts), over the bottom of the edited one. */
function footerSvg(w: number, h: number, mark: string, info: string): string {
  const unit = Math.min(w, h);
  const margin = Math.round(unit * 0.06);
  const chars = Math.max(mark.length, info.length);
  const font = Math.max(6, Math.min(unit * 0.04, (w - 2 * margin) / (chars * 0.62)));
  const band = Math.round(font * 3.2);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">`,
    `<rect x="0" y="${h - band}" width="${w}" height="${band}" fill="#000000" fill-opacity="0.6"/>`,
    `<text font-family="DejaVu Sans, Arial, sans-serif" font-size="${font.toFixed(1)}" fill="#ffe14d" font-weight="bold" x="${margin}" y="${(h - band + font * 1.35).toFixed(1)}">${escapeXml(mark)}</text>`,
    `<text font-family="DejaVu Sans Mono, monospace" font-size="${font.toFixed(1)}" fill="#ffffff" x="${margin}" y="${(h - band + font * 2.65).toFixed(1)}">${escapeXml(info)}</text>`,
    '</svg>',
  ].join('');
}

function excerpt(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
