/**
 * The `Models` check of `doctor`: which Nano Banana models the key can use, each with its lifecycle status
 * (GA, deprecated, retired, with dates and replacement), read against the key's `models.list`.
 * @module
 */
import { describeLifecycle } from '../../core/modelLifecycle.js';
import type { ModelRegistry } from '../../core/models.js';
import type { Check } from './doctor/check.js';

const BASE = { id: 'models', name: 'Models' };

export function modelsCheck(registry: ModelRegistry, listedIds: string[], vertex: boolean): Check {
  const listed = new Set(listedIds);
  const usable = registry.models.filter((m) => listed.has(m.id));
  if (usable.length === 0) {
    return {
      ...BASE,
      status: vertex ? 'warn' : 'fail',
      detail: `none of the Nano Banana models is listed for this key (${registry.models.map((m) => m.id).join(', ')})`,
      fix: 'Image models need a project with billing enabled: link billing to the key’s project in Google AI Studio. If Google renamed a model, set its id with STUDIO_MODEL_<ALIAS>=<id>.',
    };
  }
  registry.setServed(listedIds);
  const statuses = registry.models.map((m) => `${m.alias} (${m.id}): ${describeLifecycle(registry.lifecycle(m))}`);
  const detail = statuses.join('; ');
  const configured = registry.resolve(registry.defaultAlias);
  if (!configured) return { ...BASE, status: 'ok', detail };
  const lifecycle = registry.lifecycle(configured);
  if (lifecycle.effective === 'retired') {
    const replacement = registry.replacementOf(configured);
    return {
      ...BASE,
      status: 'warn',
      detail: `${detail}. The default model ${configured.alias} is retired${replacement ? `; calls that name no model use ${replacement.alias} instead` : ' and has no replacement'}`,
      fix: `Choose a served default with --default-model or STUDIO_DEFAULT_MODEL (e.g. ${replacement?.alias ?? usable[0]?.alias}).`,
    };
  }
  if (lifecycle.effective === 'deprecated') {
    return {
      ...BASE,
      status: 'warn',
      detail: `${detail}. The default model ${configured.alias} is deprecated${lifecycle.shutdown ? ` (shutdown ${lifecycle.shutdown})` : ''}`,
      fix: `Move the default to ${lifecycle.replacement ?? 'a GA model'} with --default-model or STUDIO_DEFAULT_MODEL.`,
    };
  }
  return { ...BASE, status: 'ok', detail };
}
