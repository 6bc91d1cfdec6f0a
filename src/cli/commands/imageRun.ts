/**
 * What `generate` and `edit` share: their options, the folders a person's paths may reach, and running
 * the planned pipelines to the end with progress, then printing the images (or `--json`).
 * @module
 */
import path from 'node:path';
import type { PathPolicy } from '../../core/allowedPaths.js';
import type { ErrorCode } from '../../core/errors.js';
import { NO_DEADLINE_MS, runBatch } from '../../core/pipelines/batch.js';
import type { ImagePipelineSpec } from '../../core/pipelines/spec.js';
import { type CallContext, type CommonImageOptions, loadStudioImage } from '../../core/studio.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';
import {
  COMMON_HELP,
  COMMON_OPTIONS,
  type CommandContext,
  interruptible,
  intOption,
  PROGRAM,
} from './commandRuntime.js';
import { imageJson, imageLine, usd, writeJson, writeLines } from './output.js';
import { createProgress, stderrLine } from './progress.js';

export const IMAGE_OPTIONS = {
  ...COMMON_OPTIONS,
  count: { type: 'string', short: 'n' },
  size: { type: 'string' },
  ratio: { type: 'string' },
  model: { type: 'string' },
  negative: { type: 'string' },
  ref: { type: 'string', multiple: true },
  out: { type: 'string', short: 'o' },
  overwrite: { type: 'boolean' },
  enhance: { type: 'boolean' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  emulator: { type: 'boolean' },
  'emulator-latency-ms': { type: 'string' },
} as const;

export const IMAGE_HELP = `  -n, --count N      How many images, 1 to 4 (default 1), made in parallel; each is billed.
  --size SIZE        512, 1K, 2K or 4K, any case (default 1K; for edits the original's).
  --ratio W:H        Aspect ratio, e.g. 1:1, 16:9, 9:16, 4:3 (default 1:1; for edits the original's).
  --model ALIAS      nb2.1 (default), pro, lite, nb2 (deprecated), or a model id.
  --negative TEXT    What the image must not contain.
  --ref PATH_OR_ID   A reference image: a file or an image id (repeat for several).
  -o, --out PATH     Also save a copy: into a folder (made if needed), or as a file (.png/.jpg/.webp converts).
                     A file already there is kept and the copy gets a new name (-2, -3, …).
  --overwrite        Replace a file already at --out instead.
  --enhance          A second polishing pass by the model (billed as a second image).
  --seed N           Seed for more repeatable results.
  --json             Print one JSON document on stdout, for scripts.
  -q, --quiet        No progress on stderr.
  --emulator         Use the built-in offline Gemini emulator (synthetic images, no key, no cost).
  --emulator-latency-ms N  Emulated Gemini latency per call (default 0), as for the server.
${COMMON_HELP}`;

export const EXIT_HELP = `Exit codes: 0 ok, 1 unexpected, 2 bad argument, 3 refused by Gemini, 4 quota or rate limit,
5 missing or rejected API key, 6 Gemini failed or timed out, 7 not found, 130 interrupted (Ctrl-C).`;

/** Parsed options of `generate` and `edit`. */
export interface ImageValues {
  count?: string;
  size?: string;
  ratio?: string;
  model?: string;
  negative?: string;
  ref?: string[];
  out?: string;
  overwrite?: boolean;
  enhance?: boolean;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
  emulator?: boolean;
  verbose?: boolean;
  'data-dir'?: string;
  config?: string;
}

export interface ImageRequest {
  count: number;
  options: CommonImageOptions;
  /** Folders the person's paths may reach. */
  extraRoots: string[];
}

/** Checks what can be checked before anything is opened (a bad number exits 2 at once). */
export async function readImageRequest(command: string, values: ImageValues, named: string[]): Promise<ImageRequest> {
  const count = intOption(command, 'count', values.count, { min: 1, max: 4 }) ?? 1;
  const seed = intOption(command, 'seed', values.seed, { min: 0, max: 2_147_483_647 });
  const out = values.out;
  const refs = values.ref ?? [];
  return {
    count,
    options: {
      model: values.model,
      imageSize: values.size,
      aspectRatio: values.ratio,
      negativePrompt: values.negative,
      referenceImages: refs.length ? refs : undefined,
      seed,
      outputPath: out,
      // `--out shots` makes a folder: core/outputFiles plans it (the one place output paths are planned).
      outputNewNameIsFolder: true,
      overwrite: values.overwrite,
    },
    // The command line runs as the person, in their shell: a path they name is theirs to use.
    extraRoots: [...(out === undefined ? [] : [out]), ...refs, ...named].map((p) => path.resolve(p)),
  };
}

/** The data folder, STUDIO_ALLOWED_ROOTS, the current folder and the paths named on the command line. */
export function pathPolicy(ctx: CommandContext, extraRoots: string[]): PathPolicy {
  const cwd = process.cwd();
  return {
    roots: [ctx.config.dataDir, ...ctx.config.allowedRoots, cwd, ...extraRoots],
    base: cwd,
    protectedRoots: [ctx.config.dataDir],
  };
}

/**
 * Plans with `plan`, runs the pipelines to the end with progress on stderr (Ctrl-C cancels them), then
 * prints one line (or JSON object) per image. Returns the exit code: that of the first failure, if any.
 */
export async function makeImages(
  ctx: CommandContext,
  values: ImageValues,
  request: ImageRequest,
  plan: (call: CallContext) => Promise<ImagePipelineSpec[]>,
): Promise<number> {
  const interrupt = interruptible();
  try {
    const call: CallContext = { ...ctx.caller, paths: pathPolicy(ctx, request.extraRoots), signal: interrupt.signal };
    const specs = await plan(call);
    const progress = createProgress(specs.length, { enabled: !values.quiet });
    let outcome: Awaited<ReturnType<typeof runBatch>>;
    try {
      outcome = await runBatch(ctx.pipelines, specs, ctx.caller, {
        timeoutMs: NO_DEADLINE_MS,
        signal: interrupt.signal,
        onChange: (record, index) => progress.update(record, index),
      });
    } finally {
      progress.done();
    }
    const { records, completed } = outcome;
    const images = await Promise.all(
      completed.map(async (r) => ({
        pipelineId: r.id,
        image: await loadStudioImage(ctx.studio, r.resultImageId as string, ctx.caller),
      })),
    );
    const failures = records
      .map((record, index) => ({ record, index }))
      .filter(({ record }) => record.status !== 'completed');
    for (const { record, index } of failures) {
      const what = records.length > 1 ? `image ${index + 1}/${records.length} failed: ` : '';
      const message = record.error ?? `the pipeline ${record.id} is still ${record.status}.`;
      stderrLine(`${PROGRAM}: ${what}${message}`);
    }
    if (values.json) {
      writeJson({
        images: images.map(({ image, pipelineId }) =>
          imageJson(image.record, ctx.studio.registry, {
            path: image.storedPath,
            outputPath: image.outputPath,
            outputKept: image.outputKept,
            outputError: image.outputError,
            pipelineId,
          }),
        ),
        failed: failures.map(({ record, index }) => ({
          index,
          pipeline_id: record.id,
          code: record.errorCode ?? record.status,
          message: record.error,
        })),
        total_cost_usd: images.reduce((sum, { image }) => sum + image.record.costUsd, 0),
      });
    } else {
      writeLines(images.map(({ image }) => imageLine(image)));
      if (images.length > 1) {
        stderrLine(`${images.length} images, ${usd(images.reduce((sum, { image }) => sum + image.record.costUsd, 0))}`);
      }
    }
    const first = failures[0]?.record;
    if (!first) return EXIT.ok;
    return first.status === 'failed' || first.status === 'cancelled'
      ? exitCodeFor((first.errorCode ?? undefined) as ErrorCode | undefined)
      : EXIT.upstream;
  } finally {
    interrupt.dispose();
  }
}
