/**
 * `nanobanana-studio list [--limit N] [--search TEXT] [--json]`: the images in the data folder, newest
 * first, the same gallery the MCP servers' list_images shows.
 * @module
 */
import type { ImageRecord } from '../../core/ports.js';
import { COMMON_HELP, COMMON_OPTIONS, intOption, PROGRAM, runCommand, withStudio } from './commandRuntime.js';
import { imageJson, listLine, writeJson, writeLines } from './output.js';
import { stderrLine } from './progress.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  limit: { type: 'string', short: 'l' },
  search: { type: 'string', short: 's' },
  cursor: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: ${PROGRAM} list [options]

Lists the images made so far, newest first: id, time, model, size, ratio, pixels, estimated cost, prompt.
Images made by the MCP servers and by this command line are all here (the same data folder).

Options:
  -l, --limit N      How many images (default 20, at most 1000).
  -s, --search TEXT  Only images whose prompt contains TEXT (any case).
  --cursor C         Continue after an earlier page (the next_cursor of --json).
  --json             Print one JSON document on stdout: {images, next_cursor}.
${COMMON_HELP}

Example:
  ${PROGRAM} list --search lighthouse --limit 5`;

const PAGE = 100;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'list', help: HELP, options: OPTIONS, positionals: { min: 0, max: 0 } },
    async ({ values }) => {
      const limit = intOption('list', 'limit', values.limit, { min: 1, max: 1000 }) ?? 20;
      return withStudio(values, { gemini: false }, async ({ studio, caller }) => {
        const images: ImageRecord[] = [];
        let cursor = values.cursor;
        let next: string | null = null;
        do {
          const page = await studio.list(caller, {
            limit: Math.min(PAGE, limit - images.length),
            cursor,
            search: values.search,
          });
          images.push(...page.images);
          next = page.nextCursor;
          cursor = next ?? undefined;
        } while (next !== null && images.length < limit);
        if (values.json) {
          writeJson({
            images: images.map((r) => imageJson(r, studio.registry, { path: studio.localPath(r) })),
            next_cursor: next,
          });
        } else if (images.length === 0) {
          stderrLine(
            values.search
              ? `No images match "${values.search}".`
              : `No images yet. Try: ${PROGRAM} generate "a prompt"`,
          );
        } else {
          writeLines(images.map(listLine));
        }
        return 0;
      });
    },
  );
}
