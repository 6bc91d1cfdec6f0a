/**
 * What a drawn picture (render.ts) and a changed one (renderEdit.ts) share: what is asked of them, the
 * footer band that marks every emulator image as synthetic, and the encoding.
 * @module
 */
import type { Sharp } from 'sharp';

export interface RenderInput {
  modelId: string;
  prompt: string;
  /** The imageSize label shown in the footer (`1K`, `512`, or `—` for models without sizes). */
  sizeLabel: string;
  width: number;
  height: number;
  seed: number;
  encoding: 'jpeg' | 'png';
  referenceCount: number;
  /** The picture to change (an edit, upscale or variation of an earlier image): see renderEdit.ts. */
  source?: Buffer;
}

const MARK = 'SYNTHETIC — Gemini emulator';

/**
 * The footer band along the bottom of a `w`×`h` picture, as SVG elements in its coordinates: the mark on
 * one line and `info` (model, size, what was done) on the next, in a font that fits the narrowest strip.
 */
export function footerBand(w: number, h: number, info: string, opacity: number): { height: number; svg: string } {
  const unit = Math.min(w, h);
  const margin = Math.round(unit * 0.06);
  const chars = Math.max(MARK.length, info.length);
  const font = Math.max(6, Math.min(unit * 0.04, (w - 2 * margin) / (chars * 0.62)));
  const height = Math.round(font * 3.2);
  const svg = [
    `<rect x="0" y="${h - height}" width="${w}" height="${height}" fill="#000000" fill-opacity="${opacity}"/>`,
    `<text font-family="DejaVu Sans, Arial, sans-serif" font-size="${font.toFixed(1)}" fill="#ffe14d" font-weight="bold" x="${margin}" y="${(h - height + font * 1.35).toFixed(1)}">${escapeXml(MARK)}</text>`,
    `<text font-family="DejaVu Sans Mono, monospace" font-size="${font.toFixed(1)}" fill="#ffffff" x="${margin}" y="${(h - height + font * 2.65).toFixed(1)}">${escapeXml(info)}</text>`,
  ].join('');
  return { height, svg };
}

/** PNG or JPEG as the real models send them. */
export function encode(picture: Sharp, encoding: RenderInput['encoding']): Promise<Buffer> {
  return encoding === 'png'
    ? picture.png({ compressionLevel: 6 }).toBuffer()
    : picture.jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
