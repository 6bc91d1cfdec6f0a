/**
 * Which model a call uses, by the lifecycle rules: a model the caller names is used as named (a retired one
 * is refused, naming its replacement; a deprecated one works with a notice); a default (per-user, server, or
 * the edited image's model) that is retired falls back along its replacement chain with a notice, so a stale
 * setting never fails every call.
 * @module
 */
import { InvalidInputError, ModelNotServedError } from './errors.js';
import type { EffectiveLifecycle } from './modelLifecycle.js';
import type { ModelRegistry, ModelSpec } from './models.js';
import type { GenerateImageRequest, GenerateImageResult, ImageGenerator } from './ports.js';

export interface ModelChoice {
  model: ModelSpec;
  notices: string[];
}

export function chooseModel(
  registry: ModelRegistry,
  requested: string | undefined,
  fallback: string | undefined,
): ModelChoice {
  if (requested !== undefined) {
    const model = resolveModel(registry, requested);
    const lifecycle = registry.lifecycle(model);
    if (lifecycle.effective === 'retired') throw retiredError(registry, model, lifecycle);
    return { model, notices: deprecationNotice(model, lifecycle) };
  }
  const name = fallback ?? registry.defaultAlias;
  // A per-user default naming a model this server no longer knows falls back to the server default.
  const model = registry.resolve(name) ?? resolveModel(registry, registry.defaultAlias);
  const lifecycle = registry.lifecycle(model);
  if (lifecycle.effective !== 'retired') return { model, notices: deprecationNotice(model, lifecycle) };
  const replacement = registry.replacementOf(model);
  if (!replacement) throw retiredError(registry, model, lifecycle);
  return {
    model: replacement,
    notices: [
      `The default model ${label(model)} is retired (${retiredWhy(lifecycle)}); used ${label(replacement)} instead. Set another default to silence this (STUDIO_DEFAULT_MODEL, or your settings page).`,
    ],
  };
}

export function resolveModel(registry: ModelRegistry, name: string): ModelSpec {
  const model = registry.resolve(name);
  if (!model) {
    const known = registry.models
      .filter((m) => registry.lifecycle(m).effective !== 'retired')
      .map((m) => `${m.alias} (${m.name}, ${m.id})`)
      .join('; ');
    throw new InvalidInputError(`Unknown model "${name}". Use one of: ${known}.`);
  }
  return model;
}

function label(model: ModelSpec): string {
  return `${model.alias} (${model.name}, ${model.id})`;
}

function retiredWhy(lifecycle: EffectiveLifecycle): string {
  if (lifecycle.reason) return lifecycle.reason;
  return lifecycle.shutdown ? `shut down on ${lifecycle.shutdown}` : 'no longer served';
}

function retiredError(registry: ModelRegistry, model: ModelSpec, lifecycle: EffectiveLifecycle): InvalidInputError {
  const replacement = registry.replacementOf(model);
  const instead = replacement
    ? ` Use ${replacement.alias} (${replacement.name}, ${replacement.id}) instead: model: "${replacement.alias}".`
    : ' Choose another model.';
  return new InvalidInputError(
    `${label(model)} is retired: Google no longer serves it (${retiredWhy(lifecycle)}).${instead}`,
  );
}

function deprecationNotice(model: ModelSpec, lifecycle: EffectiveLifecycle): string[] {
  if (lifecycle.effective !== 'deprecated') return [];
  const since = lifecycle.deprecated ? ` since ${lifecycle.deprecated}` : '';
  const until = lifecycle.shutdown ? ` and is due to be shut down on ${lifecycle.shutdown}` : '';
  const replacement = lifecycle.replacement ? ` Switch to ${lifecycle.replacement}.` : '';
  return [`${label(model)} is deprecated${since}${until}.${replacement}`];
}

/**
 * Gemini answered 404 for a model the registry knows: Google retired it earlier than our data says. Remember
 * it (later calls fall back or are refused before any upstream call) and name the replacement.
 */
export function notServedError(registry: ModelRegistry, model: ModelSpec, error: ModelNotServedError): Error {
  // An id passed through as given: Google's own answer says it all.
  if (model.passThrough) return error;
  registry.markNotServed(model.id);
  const replacement = registry.replacementOf(model);
  const instead = replacement
    ? ` Use ${replacement.alias} (${replacement.name}, ${replacement.id}) instead: model: "${replacement.alias}".`
    : ' Choose another model, or set its new id with STUDIO_MODEL_<ALIAS>=<id>.';
  return new ModelNotServedError(`Gemini no longer serves ${label(model)}: it answered 404.${instead}`, {
    cause: error,
    internalMessage: error.message,
  });
}

/** One Gemini call; a 404 for the model itself becomes "retired, use X" and is remembered. */
export async function generateServed(
  generator: ImageGenerator,
  registry: ModelRegistry,
  model: ModelSpec,
  request: GenerateImageRequest,
): Promise<GenerateImageResult> {
  try {
    return await generator.generateImage(request);
  } catch (error) {
    if (error instanceof ModelNotServedError) throw notServedError(registry, model, error);
    throw error;
  }
}
