/**
 * `nanobanana-studio edit IMAGE "instruction"`: changes an image (an id, or a file) through the same
 * pipelines as the edit_image tool; an edit of an id continues that image's conversation and lineage.
 * @module
 */
import path from 'node:path';
import { PROGRAM, runCommand, usage, withStudio } from './commandRuntime.js';
import { EXIT_HELP, IMAGE_HELP, IMAGE_OPTIONS, makeImages, readImageRequest } from './imageRun.js';

const HELP = `Usage: ${PROGRAM} edit IMAGE "INSTRUCTION" [options]

Changes an existing image with an instruction ("make it night", "remove the car"). IMAGE is an image id
(img_…, from generate or list) or a file. Editing an id continues that image's own conversation with the
model and records it as the parent. Keeps the original's model, size and ratio unless you set them.
With -n, makes several variations of the edit.

Options:
${IMAGE_HELP}

Examples:
  ${PROGRAM} edit img_01jc3v… "make it night, lights on in the windows"
  ${PROGRAM} edit ./photo.jpg "remove the car" --out ./photo-edited.png

${EXIT_HELP}`;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'edit', help: HELP, options: IMAGE_OPTIONS, positionals: { min: 2, max: Number.POSITIVE_INFINITY } },
    async ({ values, positionals }) => {
      const [image = '', ...words] = positionals;
      const instruction = words.join(' ').trim();
      if (!instruction) throw usage('edit', 'Give an instruction: what to change');
      const request = await readImageRequest('edit', values, [image]);
      return withStudio(values, { gemini: true }, (ctx) =>
        makeImages(ctx, values, request, async (call) => {
          const specs = [];
          for (let index = 0; index < request.count; index += 1) {
            const outputPath = numbered(request.options.outputPath, index, request.count);
            const job = await ctx.studio.planEdit({ image, instruction, ...request.options, outputPath }, call);
            // Variations of one edit: distinct seeds when a seed is given.
            specs.push({ job: { ...job, index }, autoStyle: false, enhance: values.enhance ?? false });
          }
          return specs;
        }),
      );
    },
  );
}

/** A file given to --out with several variations: name-1.png, name-2.png, … (a folder stays as it is). */
function numbered(out: string | undefined, index: number, count: number): string | undefined {
  if (out === undefined || count === 1 || /[/\\]$/.test(out)) return out;
  const ext = path.extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}-${index + 1}${ext}`;
}
