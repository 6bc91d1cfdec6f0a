/**
 * Settings of Gemini calls and of what image tools take and return: key, endpoint, Vertex AI, the emulator,
 * models, timeouts and size limits.
 * @module
 */
import { z } from 'zod';
import { MODEL_STATUSES } from '../core/modelLifecycle.js';
import { DEFAULT_MODEL_ALIAS, IMAGE_SIZES } from '../core/models.js';
import { DEFAULT_PREVIEW_EDGE } from '../core/previewEdge.js';
import { flag, isTrue, number, raw, text } from './envValues.js';
import { setting } from './setting.js';

const lifecycleDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .nullable()
  .optional();
const modelOverrides = z.record(
  z.string(),
  z
    .object({
      id: z.string().min(1).optional(),
      pricePerImage: z.partialRecord(z.enum(IMAGE_SIZES), z.number().min(0)).optional(),
      status: z.enum(MODEL_STATUSES).optional(),
      released: lifecycleDate,
      deprecated: lifecycleDate,
      shutdown: lifecycleDate,
      replacement: z.string().min(1).nullable().optional(),
    })
    .strict(),
);

export const geminiSettings = {
  apiKey: setting({
    schema: z.string().min(1).optional(),
    env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    read: text,
    doc: { meaning: 'Gemini API key (GEMINI_API_KEY wins when both are set)' },
  }),
  geminiBaseUrl: setting({
    schema: z.url().optional(),
    env: ['GEMINI_BASE_URL'],
    read: text,
    hint: 'Use an absolute URL (GEMINI_BASE_URL).',
    doc: { default: 'Google', meaning: 'Gemini endpoint (a proxy, or the emulator)' },
  }),
  vertex: setting({
    schema: z.object({ project: z.string().optional(), location: z.string().optional() }).strict().optional(),
    fromEnv: (env) =>
      isTrue(env.STUDIO_VERTEX) || isTrue(env.GOOGLE_GENAI_USE_VERTEXAI)
        ? { project: env.GOOGLE_CLOUD_PROJECT, location: env.GOOGLE_CLOUD_LOCATION ?? 'global' }
        : undefined,
    doc: {
      env: '`STUDIO_VERTEX=1`, `GOOGLE_CLOUD_PROJECT`, `GOOGLE_CLOUD_LOCATION` (default `global`)',
      default: 'off',
      meaning: 'Use Vertex AI',
    },
  }),
  emulator: setting({
    schema: z.boolean(),
    default: false,
    env: ['STUDIO_EMULATOR'],
    read: flag,
    flag: { name: 'emulator', type: 'boolean' },
    doc: { meaning: 'Start the Gemini emulator in-process: synthetic images, no key, no cost' },
  }),
  emulatorLatencyMs: setting({
    schema: z.number().int().min(0).max(600_000),
    default: 0,
    env: ['STUDIO_EMULATOR_LATENCY_MS'],
    read: number,
    flag: { name: 'emulator-latency-ms', type: 'number' },
    doc: { meaning: 'Emulated latency per call' },
  }),
  defaultModel: setting({
    schema: z.string().min(1),
    default: DEFAULT_MODEL_ALIAS,
    env: ['STUDIO_DEFAULT_MODEL'],
    read: raw,
    flag: { name: 'default-model', type: 'string' },
    hint: 'Use an alias such as nb2.1, pro, lite (--default-model, STUDIO_DEFAULT_MODEL).',
    doc: { meaning: 'Model used when a call names none' },
  }),
  models: setting({
    schema: modelOverrides,
    default: {},
    // Read by config.ts (modelOverridesFromEnv): the variable names carry the alias and the field.
    doc: {
      env: '`STUDIO_MODEL_<ALIAS>`, `STUDIO_PRICE_<ALIAS>_<SIZE>`',
      default: 'built in',
      meaning: 'Model id and price overrides',
    },
  }),
  geminiTimeoutSeconds: setting({
    schema: z.number().positive().max(1800),
    default: 120,
    env: ['STUDIO_GEMINI_TIMEOUT_SECONDS'],
    read: number,
    doc: { meaning: 'Timeout of one Gemini attempt' },
  }),
  geminiMaxAttempts: setting({
    schema: z.number().int().min(1).max(10),
    default: 4,
    env: ['STUDIO_GEMINI_MAX_ATTEMPTS'],
    read: number,
    doc: { meaning: 'Attempts per call, the first included' },
  }),
  imageResponses: setting({
    schema: z.enum(['preview', 'full', 'none']),
    default: 'preview',
    env: ['STUDIO_IMAGE_RESPONSES'],
    read: raw,
    flag: { name: 'image-responses', type: 'string' },
    hint: 'Use preview, full or none (STUDIO_IMAGE_RESPONSES).',
    doc: { meaning: 'What image tools inline: `preview`, `full` (where it fits) or `none`' },
  }),
  maxResultBytes: setting({
    schema: z.number().int().min(50_000),
    default: 1_000_000,
    env: ['STUDIO_MAX_RESULT_BYTES'],
    read: number,
    doc: { meaning: 'Upper bound of one tool result' },
  }),
  previewEdge: setting({
    schema: z.number().int().min(128).max(2048),
    default: DEFAULT_PREVIEW_EDGE,
    env: ['STUDIO_PREVIEW_EDGE'],
    read: number,
    hint: 'Use a number of pixels from 128 to 2048 (STUDIO_PREVIEW_EDGE).',
    doc: { meaning: 'Longest side of an inline preview, in pixels (the full image stays on disk and behind its link)' },
  }),
  maxPreviewBytes: setting({
    schema: z.number().int().min(10_000),
    default: 700_000,
    env: ['STUDIO_MAX_PREVIEW_BYTES'],
    read: number,
    doc: { meaning: 'Upper bound of one preview after base64' },
  }),
  maxReferenceMb: setting({
    schema: z.number().positive().max(100),
    default: 20,
    env: ['STUDIO_MAX_REFERENCE_MB'],
    read: number,
    doc: { meaning: 'Largest reference image read from disk' },
  }),
  maxUploadMb: setting({
    schema: z.number().positive().max(2000),
    default: 100,
    env: ['STUDIO_MAX_UPLOAD_MB'],
    read: number,
    hint: 'Use a number of megabytes above 0 and at most 2000, the Gemini Files API limit (STUDIO_MAX_UPLOAD_MB).',
    doc: {
      meaning: 'Largest file `upload_file` accepts (bytes or a path); over HTTP the request limit below also applies',
    },
  }),
};
