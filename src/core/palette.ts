/**
 * The brand palette stage (the pipeline seed's colour-adjust stage): every pixel whose hue lies near a
 * palette colour takes that colour's hue and saturation, in HSL, and keeps its own lightness, so shading
 * and texture survive. Greys (low saturation) are left alone. The pure part works on raw pixels; the
 * image part decodes and re-encodes with sharp. What changed is recorded per palette colour.
 * @module
 */
import type { Sharp, SharpOptions } from 'sharp';
import { InvalidInputError } from './errors.js';

export interface PaletteOptions {
  /** How far (degrees of hue, either side) a pixel's hue may be from a palette colour to be mapped onto it. */
  toleranceDeg?: number;
  /** Pixels less saturated than this (0–1) are greys and keep their colour. */
  minSaturation?: number;
}

export interface PaletteColourChange {
  hex: string;
  /** Pixels mapped onto this colour. */
  pixels: number;
  /** Mean absolute hue shift of those pixels, in degrees. */
  meanHueShiftDeg: number;
}

export interface PaletteReport {
  palette: string[];
  toleranceDeg: number;
  totalPixels: number;
  changedPixels: number;
  changes: PaletteColourChange[];
}

export const DEFAULT_TOLERANCE_DEG = 30;
export const DEFAULT_MIN_SATURATION = 0.12;
export const MAX_PALETTE_COLOURS = 12;

/** `#RRGGBB` (or `RRGGBB`, `#RGB`), upper-cased with `#`; throws a readable error otherwise. */
export function normalizeHex(value: string): string {
  const raw = value.trim().replace(/^#/, '');
  const full = /^[0-9a-f]{3}$/i.test(raw) ? [...raw].map((c) => c + c).join('') : raw;
  if (!/^[0-9a-f]{6}$/i.test(full))
    throw new InvalidInputError(`"${value}" is not a hex colour. Write colours as #RRGGBB, e.g. #E4572E.`);
  return `#${full.toUpperCase()}`;
}

/** A palette from user input: 1 to 12 distinct hex colours (commas, spaces or new lines between them). */
export function parsePalette(input: string | readonly string[]): string[] {
  const items = (typeof input === 'string' ? input.split(/[\s,;]+/) : [...input]).filter((s) => s.trim() !== '');
  if (items.length === 0) throw new InvalidInputError('A palette needs at least one hex colour, e.g. #E4572E.');
  const colours = [...new Set(items.map(normalizeHex))];
  if (colours.length > MAX_PALETTE_COLOURS)
    throw new InvalidInputError(`A palette has at most ${MAX_PALETTE_COLOURS} colours; ${colours.length} were given.`);
  return colours;
}

/** HSL of 8-bit RGB: hue in degrees [0, 360), saturation and lightness in [0, 1]. */
export function rgbToHsl(r: number, g: number, b: number): [number, number, number] {
  const rn = r / 255;
  const gn = g / 255;
  const bn = b / 255;
  const max = Math.max(rn, gn, bn);
  const min = Math.min(rn, gn, bn);
  const l = (max + min) / 2;
  const d = max - min;
  if (d === 0) return [0, 0, l];
  const s = d / (1 - Math.abs(2 * l - 1));
  let h: number;
  if (max === rn) h = ((gn - bn) / d) % 6;
  else if (max === gn) h = (bn - rn) / d + 2;
  else h = (rn - gn) / d + 4;
  h *= 60;
  if (h < 0) h += 360;
  return [h, Math.min(1, s), l];
}

/** 8-bit RGB of HSL (hue in degrees, s and l in [0, 1]). */
export function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r1, g1, b1] =
    hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r1 + m) * 255), Math.round((g1 + m) * 255), Math.round((b1 + m) * 255)];
}

/** Shortest distance between two hues, in degrees (0–180). */
export function hueDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

/**
 * Maps, in place, the pixels of `pixels` (interleaved, `channels` 3 or 4; alpha untouched) whose hue is
 * within the tolerance of a palette colour onto that colour's hue and saturation, keeping lightness.
 * A pixel near two palette colours goes to the nearer one.
 */
export function applyPaletteToPixels(
  pixels: Uint8Array | Buffer,
  channels: number,
  palette: readonly string[],
  options: PaletteOptions = {},
): PaletteReport {
  const tolerance = options.toleranceDeg ?? DEFAULT_TOLERANCE_DEG;
  const minSat = options.minSaturation ?? DEFAULT_MIN_SATURATION;
  const targets = palette.map((hex) => {
    const n = Number.parseInt(normalizeHex(hex).slice(1), 16);
    const [h, s] = rgbToHsl((n >> 16) & 255, (n >> 8) & 255, n & 255);
    return { hex: normalizeHex(hex), h, s, grey: s < minSat, pixels: 0, shift: 0 };
  });
  const chromatic = targets.filter((t) => !t.grey);
  const total = Math.floor(pixels.length / channels);
  let changed = 0;
  // Colours repeat a lot in images: a small cache of the last decision per RGB value.
  const cache = new Map<number, number>();
  for (let i = 0; i + 2 < pixels.length; i += channels) {
    const r = pixels[i] as number;
    const g = pixels[i + 1] as number;
    const b = pixels[i + 2] as number;
    const key = (r << 16) | (g << 8) | b;
    let packed = cache.get(key);
    if (packed === undefined) {
      packed = -1;
      const [h, s, l] = rgbToHsl(r, g, b);
      if (s >= minSat && chromatic.length > 0) {
        let best = -1;
        let bestD = tolerance;
        for (let t = 0; t < chromatic.length; t++) {
          const d = hueDistance(h, (chromatic[t] as (typeof chromatic)[number]).h);
          if (d <= bestD) {
            bestD = d;
            best = t;
          }
        }
        if (best >= 0) {
          const target = chromatic[best] as (typeof chromatic)[number];
          const [nr, ng, nb] = hslToRgb(target.h, target.s, l);
          // Target index in the top byte, the new colour below; the shift is recomputed when counted.
          packed = best * 2 ** 24 + ((nr << 16) | (ng << 8) | nb);
        }
      }
      if (cache.size < 65_536) cache.set(key, packed);
    }
    if (packed < 0) continue;
    const t = Math.floor(packed / 2 ** 24);
    const rgb = packed % 2 ** 24;
    const target = chromatic[t] as (typeof chromatic)[number];
    target.pixels += 1;
    target.shift += hueDistance(rgbToHsl(r, g, b)[0], target.h);
    pixels[i] = (rgb >> 16) & 255;
    pixels[i + 1] = (rgb >> 8) & 255;
    pixels[i + 2] = rgb & 255;
    changed += 1;
  }
  return {
    palette: targets.map((t) => t.hex),
    toleranceDeg: tolerance,
    totalPixels: total,
    changedPixels: changed,
    changes: targets.map((t) => ({
      hex: t.hex,
      pixels: t.pixels,
      meanHueShiftDeg: t.pixels === 0 ? 0 : Math.round((t.shift / t.pixels) * 100) / 100,
    })),
  };
}

type SharpFactory = (input?: Buffer, options?: SharpOptions) => Sharp;

/** Decodes an image, applies the palette, re-encodes it in the same format (PNG for anything else). */
export async function applyPaletteToImage(
  data: Buffer,
  palette: readonly string[],
  options: PaletteOptions = {},
): Promise<{ data: Buffer; mimeType: string; report: PaletteReport }> {
  const sharp = (await import('sharp')).default as unknown as SharpFactory;
  const image = sharp(data, { failOn: 'none' });
  const meta = await image.metadata();
  const { data: raw, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const report = applyPaletteToPixels(raw, info.channels, palette, options);
  const out = sharp(raw, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const encoded =
    meta.format === 'jpeg'
      ? { data: await out.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer(), mimeType: 'image/jpeg' }
      : meta.format === 'webp'
        ? { data: await out.webp({ quality: 92 }).toBuffer(), mimeType: 'image/webp' }
        : { data: await out.png().toBuffer(), mimeType: 'image/png' };
  return { ...encoded, report };
}
