/**
 * The models as the offline emulator serves them: the same models, sizes and ratios, at no cost. Every
 * price the studio shows, reserves against a budget or writes to the ledger comes from the registry, so
 * emulator images cost 0 everywhere at once; `emulated` marks what they make (image options, ledger rows).
 * @module
 */
import type { ModelRegistry, ModelSpec } from './models.js';

export interface MaybeEmulatedRegistry extends ModelRegistry {
  /** Set when Gemini is the built-in emulator: images are synthetic and free. */
  emulated?: boolean;
}

export function emulatedRegistry(registry: ModelRegistry): MaybeEmulatedRegistry {
  const free = new Map<ModelSpec, ModelSpec>();
  const zero = (model: ModelSpec): ModelSpec => {
    let copy = free.get(model);
    if (copy === undefined) {
      copy = {
        ...model,
        pricePerImage: Object.fromEntries(Object.keys(model.pricePerImage).map((size) => [size, 0])),
      } as ModelSpec;
      free.set(model, copy);
    }
    return copy;
  };
  return {
    ...registry,
    models: registry.models.map(zero),
    resolve: (nameOrId) => {
      const model = registry.resolve(nameOrId);
      return model === undefined ? undefined : zero(model);
    },
    replacementOf: (model) => {
      const replacement = registry.replacementOf(model);
      return replacement === undefined ? undefined : zero(replacement);
    },
    emulated: true,
  };
}

export function isEmulated(registry: ModelRegistry): boolean {
  return (registry as MaybeEmulatedRegistry).emulated === true;
}

/** Whether the built-in emulator made this image (its options say so). */
export function recordIsEmulated(record: { options: string }): boolean {
  try {
    return (JSON.parse(record.options) as { emulated?: unknown }).emulated === true;
  } catch {
    return false;
  }
}
