/**
 * The brand palette stage (core/palette.ts) on synthetic images, with the hue error measured: bands of
 * hues around each palette colour at many saturations and lightnesses, greys, and hues far from every
 * palette colour. The figures are printed (run: npx vitest run tests/palette.spec.ts).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  applyPaletteToImage,
  applyPaletteToPixels,
  hslToRgb,
  hueDistance,
  parsePalette,
  rgbToHsl,
} from '../src/core/palette.js';

const PALETTE = ['#E4572E', '#29335C', '#F3A712', '#669BBC'];
const hueOf = (hex: string) => {
  const n = Number.parseInt(hex.slice(1), 16);
  return rgbToHsl((n >> 16) & 255, (n >> 8) & 255, n & 255);
};

/** One row per (palette colour, hue offset), one column per (saturation, lightness). */
function syntheticImage(): {
  raw: Buffer;
  width: number;
  height: number;
  meta: Array<{ h: number; s: number; l: number }>;
} {
  const offsets = [-28, -20, -12, -5, 0, 5, 12, 20, 28];
  const sats = [0.2, 0.45, 0.7, 1];
  const lights = [0.03, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.97];
  const rows: number[] = [];
  for (const hex of PALETTE) for (const o of offsets) rows.push(hueOf(hex)[0] + o);
  rows.push(120, 300, 170); // far from every palette colour (green, magenta, teal-green)
  const width = sats.length * lights.length;
  const height = rows.length + 1; // + a grey row
  const raw = Buffer.alloc(width * height * 3);
  const meta: Array<{ h: number; s: number; l: number }> = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y < rows.length ? (sats[x % sats.length] as number) : 0;
      const l = lights[Math.floor(x / sats.length)] as number;
      const h = y < rows.length ? (((rows[y] as number) % 360) + 360) % 360 : 0;
      const [r, g, b] = hslToRgb(h, s, l);
      raw.set([r, g, b], (y * width + x) * 3);
      meta.push({ h, s, l });
    }
  }
  return { raw, width, height, meta };
}

describe('brand palette (colour-adjust stage)', () => {
  it('maps hues near each palette colour onto it, keeps lightness, leaves greys and far hues alone; hue error measured', async () => {
    const { raw, width, height, meta } = syntheticImage();
    const png = await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    const out = await applyPaletteToImage(png, PALETTE);
    expect(out.mimeType).toBe('image/png');
    const { data: after } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    const before = (await sharp(png).raw().toBuffer()) as Buffer;
    const targets = PALETTE.map((hex) => ({ hex, hsl: hueOf(hex) }));
    const hueErrors: number[] = [];
    const lowChromaHueErrors: number[] = [];
    const satErrors: number[] = [];
    const lightErrors: number[] = [];
    let unchangedFar = 0;
    let far = 0;
    for (let p = 0; p < meta.length; p++) {
      const i = p * 3;
      const [h0, s0, l0] = rgbToHsl(before[i] as number, before[i + 1] as number, before[i + 2] as number);
      const [h1, s1, l1] = rgbToHsl(after[i] as number, after[i + 1] as number, after[i + 2] as number);
      const nearest = targets.map((t) => ({ t, d: hueDistance(h0, t.hsl[0]) })).sort((a, b) => a.d - b.d)[0] as {
        t: (typeof targets)[number];
        d: number;
      };
      if (s0 < 0.12 || nearest.d > 30) {
        far += 1;
        if (before[i] === after[i] && before[i + 1] === after[i + 1] && before[i + 2] === after[i + 2])
          unchangedFar += 1;
        continue;
      }
      // 8-bit RGB cannot hold a precise hue when there is almost no chroma (very dark or very light pixels).
      const chroma = (1 - Math.abs(2 * l0 - 1)) * nearest.t.hsl[1];
      if (chroma * 255 >= 8) hueErrors.push(hueDistance(h1, nearest.t.hsl[0]));
      else lowChromaHueErrors.push(hueDistance(h1, nearest.t.hsl[0]));
      satErrors.push(Math.abs(s1 - nearest.t.hsl[1]));
      lightErrors.push(Math.abs(l1 - l0));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const max = (xs: number[]) => Math.max(...xs);
    const figures = {
      pixelsMapped: lightErrors.length,
      hueErrorMeanDeg: +mean(hueErrors).toFixed(3),
      hueErrorMaxDeg: +max(hueErrors).toFixed(3),
      hueSamples: hueErrors.length,
      lowChromaSamples: lowChromaHueErrors.length,
      lowChromaHueErrorMeanDeg: +mean(lowChromaHueErrors).toFixed(3),
      lowChromaHueErrorMaxDeg: +max(lowChromaHueErrors).toFixed(3),
      lightnessErrorMean: +mean(lightErrors).toFixed(4),
      lightnessErrorMax: +max(lightErrors).toFixed(4),
      farOrGreyUnchanged: `${unchangedFar}/${far}`,
      report: out.report.changes,
    };
    console.info('palette figures', JSON.stringify(figures));
    expect(out.report.changedPixels).toBe(lightErrors.length);
    expect(unchangedFar).toBe(far);
    // About half a degree on average; under 3° at worst (8-bit channels at lightness 0.03 or 0.97).
    expect(figures.hueErrorMeanDeg).toBeLessThan(1);
    expect(figures.hueErrorMaxDeg).toBeLessThan(3);
    // Lightness kept to within 8-bit rounding (1/255 ≈ 0.004).
    expect(figures.lightnessErrorMax).toBeLessThanOrEqual(1 / 255 + 1e-9);
    expect(max(satErrors.filter((_, k) => hueErrors[k] !== undefined))).toBeLessThan(0.1);
  });

  it('a pixel between two palette colours goes to the nearer; the report says how far hues moved', () => {
    // #E4572E (h 13.6) and #F3A712 (h 39.7): 20° is nearer the first, 33° the second.
    const px = Buffer.from([...hslToRgb(20, 0.8, 0.5), ...hslToRgb(33, 0.8, 0.5), 128, 128, 128]);
    const report = applyPaletteToPixels(px, 3, ['#E4572E', '#F3A712']);
    expect(hueDistance(rgbToHsl(px[0] as number, px[1] as number, px[2] as number)[0], 13.6)).toBeLessThan(1);
    expect(hueDistance(rgbToHsl(px[3] as number, px[4] as number, px[5] as number)[0], 39.7)).toBeLessThan(1);
    expect([...px.subarray(6)]).toEqual([128, 128, 128]);
    expect(report.changedPixels).toBe(2);
    expect(report.changes.map((c) => c.pixels)).toEqual([1, 1]);
    expect(report.changes[0]?.meanHueShiftDeg).toBeGreaterThan(5);
  });

  it('keeps alpha, and refuses what is not a colour with a message that says how to write one', () => {
    const px = Buffer.from([...hslToRgb(10, 1, 0.5), 77]);
    applyPaletteToPixels(px, 4, ['#E4572E']);
    expect(px[3]).toBe(77);
    expect(parsePalette('#e4572e, 29335c\n#fa1')).toEqual(['#E4572E', '#29335C', '#FFAA11']);
    expect(() => parsePalette('#E4572E, teal')).toThrow(/"teal" is not a hex colour\. Write colours as #RRGGBB/);
    expect(() => parsePalette('')).toThrow(/at least one/);
  });
});
