/**
 * The emulator's edits, upscales and variations of an earlier picture: the same picture, resized to the
 * requested pixels and visibly changed in a way derived from the instruction (colour, light), with the
 * emulator's footer saying what was done. An upscale changes nothing but the size.
 * @module
 */
import sharp from 'sharp';
import { hash32 } from './hash.js';
import { encode, footerBand, type RenderInput } from './picture.js';

const UPSCALE = /\b(upscale|upscaled|higher[- ]resolution|larger|enlarge|same image at|at (2|4)k)\b/i;
const DARKER = /\b(night|dark|darker|evening|moon|midnight|shadow)/i;
const WARMER = /\b(warm|warmer|sunset|golden|autumn|fire)/i;
const COOLER = /\b(cold|cool|cooler|winter|snow|ice|blue)/i;

export async function drawFromSource(input: RenderInput, source: Buffer): Promise<Buffer> {
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
  // The same footer band as a freshly drawn picture, over the bottom of the changed one.
  const footer = footerBand(width, height, `${what} · ${input.modelId} · ${input.sizeLabel}`, 0.6);
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${footer.svg}</svg>`;
  const out = sharp(raw, { raw: { width, height, channels: 3 } }).composite([
    { input: Buffer.from(overlay), top: 0, left: 0 },
  ]);
  return encode(out, input.encoding);
}

function excerpt(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
