/**
 * Google's side of the model table: what each model id accepts and what it returns. Deliberately independent of
 * the product's own registry (src/core) so that a mistake there shows up as an error here, like it would against
 * the real API.
 * @module
 */

export const ALL_RATIOS = [
  '1:1',
  '1:4',
  '1:8',
  '2:3',
  '3:2',
  '3:4',
  '4:1',
  '4:3',
  '4:5',
  '5:4',
  '8:1',
  '9:16',
  '16:9',
  '21:9',
] as const;

const EXTREME = new Set(['1:4', '4:1', '1:8', '8:1']);
export const TEN_RATIOS: readonly string[] = ALL_RATIOS.filter((r) => !EXTREME.has(r));

type Dims = readonly [number, number];

/** The shared Gemini 3 pixel grid (§1.3), per ratio: 512, 1K, 2K, 4K. */
const GEMINI3_GRID: Record<string, Record<string, Dims>> = {
  '1:1': { '512': [512, 512], '1K': [1024, 1024], '2K': [2048, 2048], '4K': [4096, 4096] },
  '1:4': { '512': [256, 1024], '1K': [512, 2048], '2K': [1024, 4096], '4K': [2048, 8192] },
  '1:8': { '512': [192, 1536], '1K': [384, 3072], '2K': [768, 6144], '4K': [1536, 12288] },
  '2:3': { '512': [424, 632], '1K': [848, 1264], '2K': [1696, 2528], '4K': [3392, 5056] },
  '3:2': { '512': [632, 424], '1K': [1264, 848], '2K': [2528, 1696], '4K': [5056, 3392] },
  '3:4': { '512': [448, 600], '1K': [896, 1200], '2K': [1792, 2400], '4K': [3584, 4800] },
  '4:1': { '512': [1024, 256], '1K': [2048, 512], '2K': [4096, 1024], '4K': [8192, 2048] },
  '4:3': { '512': [600, 448], '1K': [1200, 896], '2K': [2400, 1792], '4K': [4800, 3584] },
  '4:5': { '512': [464, 576], '1K': [928, 1152], '2K': [1856, 2304], '4K': [3712, 4608] },
  '5:4': { '512': [576, 464], '1K': [1152, 928], '2K': [2304, 1856], '4K': [4608, 3712] },
  '8:1': { '512': [1536, 192], '1K': [3072, 384], '2K': [6144, 768], '4K': [12288, 1536] },
  '9:16': { '512': [384, 688], '1K': [768, 1376], '2K': [1536, 2752], '4K': [3072, 5504] },
  '16:9': { '512': [688, 384], '1K': [1376, 768], '2K': [2752, 1536], '4K': [5504, 3072] },
  // The published 512 value is 792x168, which contradicts the ratio; 792x336 is what the ratio implies.
  '21:9': { '512': [792, 336], '1K': [1584, 672], '2K': [3168, 1344], '4K': [6336, 2688] },
};

/** gemini-2.5-flash-image has one ~1 MP size per ratio. */
const GEMINI25_GRID: Record<string, Dims> = {
  '1:1': [1024, 1024],
  '2:3': [832, 1248],
  '3:2': [1248, 832],
  '3:4': [864, 1184],
  '4:3': [1184, 864],
  '4:5': [896, 1152],
  '5:4': [1152, 896],
  '9:16': [768, 1344],
  '16:9': [1344, 768],
  '21:9': [1536, 672],
};

export interface ImageModel {
  kind: 'image';
  id: string;
  displayName: string;
  description: string;
  version: string;
  /** Accepted `imageSize` values; empty when the model rejects the field. */
  sizes: readonly string[];
  ratios: readonly string[];
  maxReferenceImages: number;
  /** Accepted thinking levels (upper case); `null` when sending a level is rejected. */
  thinkingLevels: readonly string[] | null;
  defaultThinkingLevel: string;
  /** Gemini 3 models think and emit thought parts / signatures; 2.5 does not. */
  thinks: boolean;
  grounding: boolean;
  /** A missing signature on a model image in the history is a 400 (3.1 Flash, 2.1) or tolerated (Pro). */
  enforcesSignatures: boolean;
  /** Gemini 3 returns JPEG bytes labelled image/png; 2.5 returns a real PNG. */
  encoding: 'jpeg' | 'png';
  imageTokens: Readonly<Record<string, number>>;
  /** Tokens billed per input image. */
  inputImageTokens: number;
  /** Input / output token limits reported by `models.get`. */
  inputTokenLimit: number;
  outputTokenLimit: number;
  /** Image search (`googleSearch.searchTypes.imageSearch`) is available (3.1 Flash Image family). */
  imageSearch: boolean;
  /** From this instant (ISO) on, the id answers 404 like any unknown model; absent while no shutdown is set. */
  shutdown?: string;
}

export interface TextModel {
  kind: 'text';
  id: string;
  displayName: string;
  description: string;
  version: string;
}

export type AnyModel = ImageModel | TextModel;

const FLASH_TOKENS = { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 };

export const IMAGE_MODELS: readonly ImageModel[] = [
  {
    kind: 'image',
    id: 'gemini-3.1-flash-image',
    displayName: 'Nano Banana 2',
    description: 'Gemini 3.1 Flash Image',
    version: '3.1',
    sizes: ['512', '1K', '2K', '4K'],
    ratios: ALL_RATIOS,
    maxReferenceImages: 14,
    thinkingLevels: ['MINIMAL', 'HIGH'],
    defaultThinkingLevel: 'MINIMAL',
    thinks: true,
    grounding: true,
    enforcesSignatures: true,
    encoding: 'jpeg',
    imageTokens: FLASH_TOKENS,
    // Vertex AI model card: 1,120 input tokens per reference image.
    inputImageTokens: 1120,
    inputTokenLimit: 131072,
    outputTokenLimit: 32768,
    imageSearch: true,
    // Deprecated 2026-10-06 (Google); shutdown 2026-10-29 per model-gateway notes (gemini-api.md item 5).
    shutdown: '2026-10-29T00:00:00Z',
  },
  {
    kind: 'image',
    id: 'gemini-3-pro-image',
    displayName: 'Nano Banana Pro',
    description: 'Gemini 3 Pro Image',
    version: '3.0',
    sizes: ['1K', '2K', '4K'],
    ratios: TEN_RATIOS,
    maxReferenceImages: 14,
    thinkingLevels: null,
    defaultThinkingLevel: 'HIGH',
    thinks: true,
    grounding: true,
    enforcesSignatures: false,
    encoding: 'jpeg',
    imageTokens: { '1K': 1120, '2K': 1120, '4K': 2000 },
    inputImageTokens: 560,
    inputTokenLimit: 131072,
    outputTokenLimit: 32768,
    imageSearch: false,
  },
  {
    kind: 'image',
    id: 'gemini-nano-banana-2.1',
    displayName: 'Nano Banana 2.1',
    description: 'Nano Banana 2.1',
    version: '2.1',
    sizes: ['1K', '2K', '4K'],
    ratios: ALL_RATIOS,
    maxReferenceImages: 14,
    thinkingLevels: ['MINIMAL', 'MEDIUM', 'HIGH'],
    defaultThinkingLevel: 'MEDIUM',
    thinks: true,
    grounding: true,
    enforcesSignatures: true,
    encoding: 'jpeg',
    imageTokens: { '1K': 1120, '2K': 1680, '4K': 2520 },
    inputImageTokens: 1120,
    inputTokenLimit: 131072,
    outputTokenLimit: 32768,
    // Assumed like its predecessor 3.1 Flash Image: no published image-search table for 2.1 yet.
    imageSearch: true,
  },
  {
    kind: 'image',
    id: 'gemini-3.1-flash-lite-image',
    displayName: 'Nano Banana 2 Lite',
    description: 'Gemini 3.1 Flash Lite Image',
    version: '3.1',
    sizes: ['1K'],
    ratios: ALL_RATIOS,
    maxReferenceImages: 14,
    thinkingLevels: ['MINIMAL', 'HIGH'],
    defaultThinkingLevel: 'MINIMAL',
    thinks: true,
    grounding: false,
    enforcesSignatures: false,
    encoding: 'jpeg',
    imageTokens: { '1K': 1120 },
    inputImageTokens: 560,
    // Model page: 65,536 input / 4,096 output tokens.
    inputTokenLimit: 65536,
    outputTokenLimit: 4096,
    imageSearch: false,
  },
  {
    kind: 'image',
    id: 'gemini-2.5-flash-image',
    displayName: 'Nano Banana',
    description: 'Gemini 2.5 Flash Image',
    version: '2.5',
    sizes: [],
    ratios: TEN_RATIOS,
    maxReferenceImages: 3,
    thinkingLevels: null,
    defaultThinkingLevel: '',
    thinks: false,
    grounding: false,
    enforcesSignatures: false,
    encoding: 'png',
    imageTokens: { '1K': 1290 },
    inputImageTokens: 258,
    inputTokenLimit: 131072,
    outputTokenLimit: 32768,
    imageSearch: false,
    // Google's deprecations page: shut down 2026-10-02.
    shutdown: '2026-10-02T00:00:00Z',
  },
];

export const TEXT_MODELS: readonly TextModel[] = [
  {
    kind: 'text',
    id: 'gemini-3.8-flash',
    displayName: 'Gemini 3.8 Flash',
    description: 'Fast multimodal model',
    version: '3.8',
  },
  {
    kind: 'text',
    id: 'gemini-3.5-flash-lite',
    displayName: 'Gemini 3.5 Flash-Lite',
    description: 'Lightweight multimodal model',
    version: '3.5',
  },
];

const BY_ID = new Map<string, AnyModel>([...IMAGE_MODELS, ...TEXT_MODELS].map((m) => [m.id, m]));

/** Accepts `gemini-x` or `models/gemini-x`. */
export function findModel(id: string): AnyModel | undefined {
  return BY_ID.get(id.startsWith('models/') ? id.slice('models/'.length) : id);
}

export function allModels(): AnyModel[] {
  return [...BY_ID.values()];
}

/** Whether Google still serves this id at `now` (ms): after its shutdown it answers 404 like an unknown id. */
export function isServed(model: AnyModel, now: number): boolean {
  return model.kind === 'text' || model.shutdown === undefined || now < Date.parse(model.shutdown);
}

/** A model Google serves at `now`, by id (`gemini-x` or `models/gemini-x`), the test's extra models included. */
export function findServedModel(
  id: string,
  now: number,
  extra: ReadonlyMap<string, AnyModel> = new Map(),
): AnyModel | undefined {
  const bare = id.startsWith('models/') ? id.slice('models/'.length) : id;
  const model = extra.get(bare) ?? findModel(bare);
  return model && isServed(model, now) ? model : undefined;
}

/** "Google released a new model": a copy of a known one under a new id (for tests of the next model change). */
export function extraModel(id: string, like: string, displayName?: string): AnyModel {
  const base = findModel(like);
  if (!base) throw new RangeError(`extraModels: unknown model to copy "${like}"`);
  const { shutdown: _shutdown, ...rest } = base as ImageModel;
  return { ...rest, kind: base.kind, id, displayName: displayName ?? id } as AnyModel;
}

/** Exact output dimensions; `size` is ignored for 2.5 (one size), the caller has validated both. */
export function pixelDims(model: ImageModel, size: string, ratio: string): Dims {
  if (model.encoding === 'png') return GEMINI25_GRID[ratio] ?? [1024, 1024];
  return GEMINI3_GRID[ratio]?.[size] ?? [1024, 1024];
}

export function imageTokensFor(model: ImageModel, size: string): number {
  return model.imageTokens[size] ?? model.imageTokens['1K'] ?? 1120;
}
