/**
 * `nanobanana-studio generate "a prompt" [-n 4] [--size 2K] [--ratio 16:9] [--model pro] [--out DIR]`:
 * new images through the same pipelines as the generate_image tool, into the same data folder.
 * @module
 */

import { PROGRAM, runCommand, usage, withStudio } from './commandRuntime.js';
import { EXIT_HELP, IMAGE_HELP, IMAGE_OPTIONS, makeImages, readImageRequest } from './imageRun.js';

const OPTIONS = { ...IMAGE_OPTIONS, 'no-style': { type: 'boolean' } } as const;

const HELP = `Usage: ${PROGRAM} generate "PROMPT" [options]

Makes 1 to 4 new images from a text prompt with Google Gemini (Nano Banana) and prints, per image, its id,
model, size, pixels, estimated cost and file. Progress goes to stderr. Images land in the data folder the
MCP servers use, so their gallery and list_images see them.

Options:
${IMAGE_HELP.replace('  --enhance', '  --no-style         Send the prompt as written (no rewrite by the text model first).\n  --enhance')}

Examples:
  ${PROGRAM} generate "a lighthouse at dusk, watercolour" -n 4 --size 2K --ratio 16:9 --out ./shots
  ${PROGRAM} generate "a product shot of a red sneaker" --model pro --json

${EXIT_HELP}`;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'generate', help: HELP, options: OPTIONS, positionals: { min: 1, max: Number.POSITIVE_INFINITY } },
    async ({ values, positionals }) => {
      const prompt = positionals.join(' ').trim();
      if (!prompt) throw usage('generate', 'Give a prompt: what to draw');
      const request = await readImageRequest('generate', values, []);
      return withStudio(values, { gemini: true }, (ctx) =>
        makeImages(ctx, values, request, async (call) => {
          const jobs = await ctx.studio.planGeneration({ prompt, n: request.count, ...request.options }, call);
          const autoStyle = values['no-style'] ? false : ctx.config.autoStyle;
          return jobs.map((job) => ({ job, autoStyle, enhance: values.enhance ?? false }));
        }),
      );
    },
  );
}
