/**
 * The palette and style options of the MCP tools, through the real MCP client over stdio against the built
 * server and the emulator: generate_image_async with hex colours runs the colour-adjust stage (named in
 * get_image's stages) and stores recoloured pixels; edit_image takes a palette too; a bad palette or an
 * unknown style is refused before anything is queued, with what to do.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { paletteHues } from './helpers/paletteHues.js';
import { idsOf, snapshotOf, textOf } from './helpers/studio.js';
import { useEmulator, useStudio } from './helpers/useStudio.js';

const emu = useEmulator();
const studio = useStudio('stdio', { emulator: emu });
const call = studio.call;

/** Mean hue distance of chromatic pixels within 30° of a palette hue, to the nearest one. */
async function meanHueError(file: string, palette: string[]): Promise<number> {
  return (await paletteHues(await readFile(file), palette)).meanDeg;
}

async function storedFile(id: string): Promise<string> {
  const root = path.join(studio.dataDir, 'images');
  for (const year of await readdir(root))
    for (const month of await readdir(path.join(root, year)))
      for (const name of await readdir(path.join(root, year, month)))
        if (name.startsWith(id)) return path.join(root, year, month, name);
  throw new Error(`no file for ${id}`);
}

describe('palette and style options over stdio', () => {
  it('generate_image_async (palette as hex colours: the colour-adjust stage runs and recolours)', async () => {
    const palette = ['#E4572E', '#29335C', '#F3A712'];
    const started = await call('generate_image_async', { prompt: 'a sunset harbour', palette });
    expect(started.isError, textOf(started)).toBeFalsy();
    const [id] = (started.structuredContent as { pipeline_ids: string[] }).pipeline_ids;
    const done = await call('get_image', { pipeline_id: id, wait_seconds: 60 });
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(snapshotOf(done).status).toBe('completed');
    // get_image answers a finished pipeline with the image only; cancel_pipeline returns it unchanged, with its stages.
    const ended = await call('cancel_pipeline', { pipeline_id: id });
    const snapshot = ended.structuredContent as { status: string; stages: Array<{ name: string; state: string }> };
    expect(snapshot.status).toBe('completed');
    expect(snapshot.stages.map((s) => [s.name, s.state])).toEqual([
      ['generate', 'completed'],
      ['colour-adjust', 'completed'],
      ['store', 'completed'],
    ]);
    const imageId = idsOf(done)[0] as string;
    const plain = await call('generate_image', { prompt: 'a sunset harbour' });
    const recoloured = await meanHueError(await storedFile(imageId), palette);
    const untouched = await meanHueError(await storedFile(idsOf(plain)[0] as string), palette);
    console.info('hue error to the palette, mean degrees', JSON.stringify({ recoloured, untouched }));
    expect(recoloured).toBeLessThan(3);
    expect(untouched).toBeGreaterThan(recoloured * 3);

    const edit = await call('edit_image', { image: imageId, instruction: 'add a gull', palette: '#669BBC' });
    expect(edit.isError, textOf(edit)).toBeFalsy();
  }, 60_000);

  it('generate_image (a bad palette or an unknown style is refused before anything is queued)', async () => {
    const badPalette = await call('generate_image', { prompt: 'x', palette: ['#E4572E', 'blue'] });
    expect(badPalette.isError).toBe(true);
    expect(textOf(badPalette)).toContain('"blue" is not a hex colour. Write colours as #RRGGBB');
    const unnamed = await call('generate_image', { prompt: 'x', palette: 'Brand' });
    expect(textOf(unnamed)).toMatch(
      /Or name a saved palette \(none saved yet; save one with the studio_library tool or in the studio/,
    );
    const style = await call('generate_image', { prompt: 'x', style: 'House' });
    expect(style.isError).toBe(true);
    expect(textOf(style)).toContain(
      'No style named "House". Save one with the studio_library tool or in the studio (/ui) first.',
    );
    const list = await call('list_images', {});
    expect(textOf(list)).not.toContain('"x"');
  }, 60_000);
});
