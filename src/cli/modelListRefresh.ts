/**
 * Reads which models the key can use (`models.list`) off the start-up path, then once a day, and hands the
 * list to the registry: a model Google stops serving is then refused (or a default falls back) before any
 * call, and one it still serves past its recorded shutdown date keeps working. Failures are logged and leave
 * the registry on its dates.
 * @module
 */
import type { Logger } from '../core/logger.js';
import type { ModelRegistry } from '../core/models.js';

export const MODEL_LIST_REFRESH_MS = 24 * 3600 * 1000;

export interface ModelLister {
  listModels(options?: { signal?: AbortSignal }): Promise<Array<{ id: string }>>;
}

/** Starts the refresh; returns a function that stops it (and aborts a read in progress). */
export function startModelListRefresh(
  registry: ModelRegistry,
  lister: ModelLister,
  log: Logger,
  everyMs = MODEL_LIST_REFRESH_MS,
): () => void {
  const controller = new AbortController();
  const refresh = async () => {
    try {
      const models = await lister.listModels({ signal: controller.signal });
      registry.setServed(models.map((m) => m.id));
      const statuses = registry.models.map((m) => `${m.alias}=${registry.lifecycle(m).effective}`).join(' ');
      log.info({ models: models.length, statuses }, 'read the models this key can use');
    } catch (err) {
      if (!controller.signal.aborted)
        log.warn({ err }, 'could not read the models this key can use; using the registry dates');
    }
  };
  const first = setTimeout(() => void refresh(), 0);
  const timer = setInterval(() => void refresh(), everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
    controller.abort();
  };
}

/** Said once at start: calls that name no model will use the replacement of a retired configured default. */
export function warnIfDefaultRetired(registry: ModelRegistry, log: Logger): void {
  const configured = registry.resolve(registry.defaultAlias);
  if (!configured || registry.lifecycle(configured).effective !== 'retired') return;
  const replacement = registry.replacementOf(configured);
  log.warn(
    { defaultModel: configured.alias, replacement: replacement?.alias },
    `The default model ${configured.alias} (${configured.id}) is retired; calls that name no model use ${replacement?.alias ?? 'nothing (every such call fails)'} instead. Set STUDIO_DEFAULT_MODEL to a served model.`,
  );
}
