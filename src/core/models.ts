/**
 * The model registry, as data: ids, aliases, capabilities and list prices of the Gemini image models.
 * Ids and prices can be overridden from the configuration (file or environment) without a code change;
 * see {@link applyModelOverrides}.
 * @module
 */
import {
  type EffectiveLifecycle,
  effectiveLifecycle,
  type ModelLifecycle,
  type ModelStatus,
  type ServedModels,
} from './modelLifecycle.js';

export const IMAGE_SIZES = ['512', '1K', '2K', '4K'] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

export const ALL_ASPECT_RATIOS = [
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
export type AspectRatio = (typeof ALL_ASPECT_RATIOS)[number];
const EXTREME_RATIOS: readonly string[] = ['1:4', '4:1', '1:8', '8:1'];
const TEN_RATIOS = ALL_ASPECT_RATIOS.filter((r) => !EXTREME_RATIOS.includes(r));

export const THINKING_LEVELS = ['minimal', 'low', 'medium', 'high'] as const;
export type ThinkingLevel = (typeof THINKING_LEVELS)[number];

export interface ModelSpec {
  /** The canonical alias people use (`nb2`, `pro`, …). */
  alias: string;
  /** Wire id sent to Gemini. */
  id: string;
  /** Marketing name. */
  name: string;
  /** Other names accepted for this model (other aliases and retired preview ids). */
  aliases: string[];
  sizes: ImageSize[];
  defaultSize: ImageSize;
  /** False for models that take no `imageSize` on the wire (Nano Banana 1 has one size). */
  sendsImageSize: boolean;
  aspectRatios: AspectRatio[];
  maxReferenceImages: number;
  /** Thinking levels the caller may choose; empty when the model takes none. */
  thinkingLevels: ThinkingLevel[];
  grounding: boolean;
  /** List price in USD per generated image, by size. */
  pricePerImage: Partial<Record<ImageSize, number>>;
  /** Output image tokens per image, by size (used for estimates before the call). */
  tokensPerImage: Partial<Record<ImageSize, number>>;
  /** Whether the model keeps a multi-turn editing conversation well. */
  multiTurn: boolean;
  /** One line for tool descriptions. */
  summary: string;
  /** Status, dates and replacement (see modelLifecycle.ts). */
  lifecycle: ModelLifecycle;
  /**
   * A full Gemini id this registry does not know, passed through as given: Google validates it, and its
   * price is unknown (shown as such, never as a guess).
   */
  passThrough?: boolean;
}

export const DEFAULT_MODEL_ALIAS = 'nb2.1';
export const DEFAULT_TEXT_MODEL = 'gemini-3.8-flash';

type Typical = 'defaultSize' | 'sendsImageSize' | 'aspectRatios' | 'maxReferenceImages' | 'multiTurn';

/** A model as its entry states it, over what a Gemini image model has unless said otherwise. */
function imageModel(spec: Omit<ModelSpec, Typical> & Partial<Pick<ModelSpec, Typical>>): ModelSpec {
  return {
    defaultSize: '1K',
    sendsImageSize: true,
    aspectRatios: [...ALL_ASPECT_RATIOS],
    maxReferenceImages: 14,
    multiTurn: true,
    ...spec,
  };
}

export const BUILTIN_MODELS: readonly ModelSpec[] = [
  imageModel({
    alias: 'nb2.1',
    id: 'gemini-nano-banana-2.1',
    name: 'Nano Banana 2.1',
    aliases: ['nano-banana-2.1', 'nb21'],
    sizes: ['1K', '2K', '4K'],
    thinkingLevels: ['minimal', 'medium', 'high'],
    grounding: true,
    // Only the 1K price is published; 2K and 4K are estimated at its $30 per million image tokens.
    pricePerImage: { '1K': 0.0336, '2K': 0.0504, '4K': 0.0756 },
    tokensPerImage: { '1K': 1120, '2K': 1680, '4K': 2520 },
    lifecycle: { status: 'ga', released: '2026-10-06', source: 'Google changelog' },
    summary: 'the default: newest generation, fast and inexpensive; all 14 ratios; 1K to 4K',
  }),
  imageModel({
    alias: 'nb2',
    id: 'gemini-3.1-flash-image',
    name: 'Nano Banana 2',
    aliases: ['flash', 'nano-banana-2', 'gemini-3.1-flash-image-preview'],
    sizes: ['512', '1K', '2K', '4K'],
    thinkingLevels: ['minimal', 'high'],
    grounding: true,
    pricePerImage: { '512': 0.045, '1K': 0.067, '2K': 0.101, '4K': 0.151 },
    tokensPerImage: { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 },
    lifecycle: {
      status: 'deprecated',
      released: '2026-05-28',
      deprecated: '2026-10-06',
      // Google announced no date; model-gateway notes give 2026-10-29 (gemini-api.md, item 5).
      shutdown: '2026-10-29',
      replacement: 'nb2.1',
      source: 'Google deprecations page (deprecation); model-gateway notes (shutdown)',
    },
    summary: 'fast, good and inexpensive; all 14 ratios; 512 to 4K; deprecated, replaced by nb2.1',
  }),
  imageModel({
    alias: 'pro',
    id: 'gemini-3-pro-image',
    name: 'Nano Banana Pro',
    aliases: ['nano-banana-pro', 'gemini-3-pro-image-preview'],
    sizes: ['1K', '2K', '4K'],
    aspectRatios: [...TEN_RATIOS],
    thinkingLevels: [],
    grounding: true,
    pricePerImage: { '1K': 0.134, '2K': 0.134, '4K': 0.24 },
    tokensPerImage: { '1K': 1120, '2K': 1120, '4K': 2000 },
    lifecycle: { status: 'ga', released: '2026-05-28', source: 'Google changelog' },
    summary: 'highest fidelity and text rendering, about twice the price; only when the person asks for Pro',
  }),
  imageModel({
    alias: 'lite',
    id: 'gemini-3.1-flash-lite-image',
    name: 'Nano Banana 2 Lite',
    aliases: ['nano-banana-2-lite', 'flash-lite'],
    sizes: ['1K'],
    thinkingLevels: ['minimal', 'high'],
    grounding: false,
    pricePerImage: { '1K': 0.0335 },
    tokensPerImage: { '1K': 1120 },
    multiTurn: false,
    lifecycle: { status: 'ga', released: '2026-06-30', source: 'Google changelog' },
    summary: 'cheapest drafts, 1K only, no grounding, weak at multi-turn edits',
  }),
  imageModel({
    alias: 'nb1',
    id: 'gemini-2.5-flash-image',
    name: 'Nano Banana (legacy)',
    aliases: ['nano-banana', 'gemini-2.5-flash-image-preview'],
    sizes: ['1K'],
    sendsImageSize: false,
    aspectRatios: [...TEN_RATIOS],
    maxReferenceImages: 3,
    thinkingLevels: [],
    grounding: false,
    pricePerImage: { '1K': 0.039 },
    tokensPerImage: { '1K': 1290 },
    lifecycle: {
      status: 'retired',
      deprecated: '2026-09-18',
      shutdown: '2026-10-02',
      replacement: 'nb2.1',
      source: 'Google deprecations page',
    },
    summary: 'legacy model, one size (about 1 megapixel); retired, replaced by nb2.1',
  }),
];

/** Overrides for one model, keyed by its alias in {@link ModelOverrides}. `null` clears a date. */
export interface ModelOverride {
  id?: string;
  pricePerImage?: Partial<Record<ImageSize, number>>;
  status?: ModelStatus;
  released?: string | null;
  deprecated?: string | null;
  shutdown?: string | null;
  replacement?: string | null;
}
export type ModelOverrides = Record<string, ModelOverride>;

export interface ModelRegistry {
  models: readonly ModelSpec[];
  /** The configured default alias (which may be retired; see {@link ModelRegistry.usableDefault}). */
  defaultAlias: string;
  /** Resolves an alias, a wire id (current or retired) or a marketing name, case-insensitively. */
  resolve(nameOrId: string): ModelSpec | undefined;
  /** The model's lifecycle now: its data, its dates and the key's model list when known. */
  lifecycle(model: ModelSpec): EffectiveLifecycle;
  /** The first model along the replacement chain that is not retired, if any. */
  replacementOf(model: ModelSpec): ModelSpec | undefined;
  /** Records which model ids the key can use (`models.list`). */
  setServed(ids: Iterable<string>, at?: number): void;
  /** Records that Gemini answered 404 for this id (until the next model list says otherwise). */
  markNotServed(id: string): void;
  served(): ServedModels | undefined;
  now(): number;
}

export interface RegistryOptions {
  /** Clock for the lifecycle dates (ms since epoch); default `Date.now`. */
  now?: () => number;
}

export function createModelRegistry(
  overrides: ModelOverrides = {},
  defaultAlias = DEFAULT_MODEL_ALIAS,
  options: RegistryOptions = {},
): ModelRegistry {
  const models = applyModelOverrides(BUILTIN_MODELS, overrides);
  const now = options.now ?? Date.now;
  const byName = new Map<string, ModelSpec>();
  for (const model of models) {
    for (const name of [model.alias, model.id, model.name, ...model.aliases]) {
      byName.set(normalizeName(name), model);
    }
  }
  // Accept `models/<id>` too, as the SDK does. A full `gemini-…` id we do not know is passed through.
  const passThrough = new Map<string, ModelSpec>();
  const resolve = (nameOrId: string): ModelSpec | undefined => {
    const bare = nameOrId.trim().replace(/^models\//, '');
    const known = byName.get(normalizeName(bare));
    if (known || !PASS_THROUGH_ID.test(bare)) return known;
    let spec = passThrough.get(bare);
    if (!spec) {
      spec = passThroughSpec(bare);
      passThrough.set(bare, spec);
    }
    return spec;
  };
  if (!resolve(defaultAlias)) {
    throw new Error(`Unknown default model "${defaultAlias}". Use one of: ${models.map((m) => m.alias).join(', ')}.`);
  }
  for (const model of models) {
    const replacement = model.lifecycle.replacement;
    if (replacement !== undefined && !resolve(replacement)) {
      throw new Error(`The replacement "${replacement}" of model ${model.alias} is not a known model.`);
    }
  }
  let served: ServedModels | undefined;
  const gone = new Set<string>();
  const lifecycle = (model: ModelSpec) => {
    // Not ours to judge: Google accepts or refuses a pass-through id itself.
    if (model.passThrough) return effectiveLifecycle(model.lifecycle, now(), gone.has(model.id) ? false : undefined);
    if (gone.has(model.id)) return effectiveLifecycle(model.lifecycle, now(), false);
    // The key's list only counts when it shows at least one of our models (an unbilled key lists none).
    const useList = served !== undefined && models.some((m) => served?.ids.has(m.id));
    return effectiveLifecycle(model.lifecycle, now(), useList ? served?.ids.has(model.id) : undefined);
  };
  const replacementOf = (model: ModelSpec): ModelSpec | undefined => {
    const seen = new Set([model.alias]);
    let next = model.lifecycle.replacement ? resolve(model.lifecycle.replacement) : undefined;
    while (next && !seen.has(next.alias)) {
      if (lifecycle(next).effective !== 'retired') return next;
      seen.add(next.alias);
      next = next.lifecycle.replacement ? resolve(next.lifecycle.replacement) : undefined;
    }
    return undefined;
  };
  return {
    models,
    defaultAlias,
    resolve,
    lifecycle,
    replacementOf,
    setServed: (ids, at = now()) => {
      served = { ids: new Set([...ids].map((id) => id.replace(/^models\//, ''))), at };
      gone.clear();
    },
    markNotServed: (id) => {
      gone.add(id.replace(/^models\//, ''));
    },
    served: () => served,
    now,
  };
}

export function applyModelOverrides(models: readonly ModelSpec[], overrides: ModelOverrides): ModelSpec[] {
  const known = new Set(models.map((m) => m.alias));
  for (const alias of Object.keys(overrides)) {
    if (!known.has(alias)) {
      throw new Error(`Model override for unknown alias "${alias}". Known aliases: ${[...known].join(', ')}.`);
    }
  }
  return models.map((model) => {
    const override = overrides[model.alias];
    if (!override) return model;
    return {
      ...model,
      id: override.id ?? model.id,
      // A renamed model keeps answering to its previous id.
      aliases: override.id && override.id !== model.id ? [...model.aliases, model.id] : model.aliases,
      pricePerImage: { ...model.pricePerImage, ...override.pricePerImage },
      lifecycle: overrideLifecycle(model.lifecycle, override),
    };
  });
}

function overrideLifecycle(lifecycle: ModelLifecycle, override: ModelOverride): ModelLifecycle {
  const out: ModelLifecycle = { ...lifecycle, status: override.status ?? lifecycle.status };
  for (const key of ['released', 'deprecated', 'shutdown', 'replacement'] as const) {
    const value = override[key];
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  if (override.status !== undefined || override.shutdown !== undefined || override.deprecated !== undefined) {
    out.source = 'configuration';
  }
  return out;
}

/** `1k` → `1K`, `512px` → `512`, `4k` → `4K`; anything else is returned upper-cased for the error message. */
export function normalizeImageSize(value: string): string {
  const v = value.trim().toUpperCase();
  if (v === '512PX' || v === '0.5K') return '512';
  return v;
}

/** The list price of one image; 0 when it is unknown (see {@link isPriceKnown}: show "unknown", not 0). */
export function estimateCostUsd(model: ModelSpec, size: ImageSize): number {
  if (model.passThrough) return 0;
  return model.pricePerImage[size] ?? model.pricePerImage[model.defaultSize] ?? 0;
}

export function isPriceKnown(model: ModelSpec, size: ImageSize): boolean {
  return !model.passThrough && (model.pricePerImage[size] ?? model.pricePerImage[model.defaultSize]) !== undefined;
}

/** What a budget reserves before a call: the list price, or for an unknown price the dearest known one. */
export function reservationUsd(registry: ModelRegistry, model: ModelSpec, size: ImageSize): number {
  if (isPriceKnown(model, size)) return estimateCostUsd(model, size);
  return Math.max(0, ...registry.models.map((m) => m.pricePerImage[size] ?? m.pricePerImage[m.defaultSize] ?? 0));
}

const PASS_THROUGH_ID = /^gemini-[a-z0-9][a-z0-9.-]*[a-z0-9]$/i;

/** A model Google may know and we do not: every option is sent as asked, for Google to accept or refuse. */
function passThroughSpec(id: string): ModelSpec {
  return imageModel({
    alias: id,
    id,
    name: id,
    aliases: [],
    sizes: [...IMAGE_SIZES],
    thinkingLevels: [...THINKING_LEVELS],
    grounding: true,
    pricePerImage: {},
    tokensPerImage: {},
    summary: 'not in this server’s registry: passed through as given',
    lifecycle: { status: 'ga', source: 'not in the registry' },
    passThrough: true,
  });
}

function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}
