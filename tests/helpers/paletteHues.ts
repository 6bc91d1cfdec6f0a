/** How close an image's colours sit to a palette, in hue degrees (brandTools and studio specs). */
import sharp from 'sharp';
import { hueDistance, rgbToHsl } from '../../src/core/palette.js';

/**
 * Over the chromatic pixels within 30° of a palette hue: how many (`near`), how many within 4°
 * (`onPalette`), and their mean distance to the nearest palette hue (`meanDeg`).
 */
export async function paletteHues(
  image: Buffer,
  palette: string[],
): Promise<{ near: number; onPalette: number; meanDeg: number }> {
  const hues = palette.map((hex) => {
    const n = Number.parseInt(hex.slice(1), 16);
    return rgbToHsl((n >> 16) & 255, (n >> 8) & 255, n & 255)[0];
  });
  const data = await sharp(image).removeAlpha().raw().toBuffer();
  let near = 0;
  let onPalette = 0;
  let sum = 0;
  for (let i = 0; i + 2 < data.length; i += 3) {
    const [h, s, l] = rgbToHsl(data[i] as number, data[i + 1] as number, data[i + 2] as number);
    if (s < 0.25 || l < 0.1 || l > 0.9) continue;
    const d = Math.min(...hues.map((x) => hueDistance(h, x)));
    if (d > 30) continue;
    near += 1;
    sum += d;
    if (d <= 4) onPalette += 1;
  }
  return { near, onPalette, meanDeg: sum / near };
}
