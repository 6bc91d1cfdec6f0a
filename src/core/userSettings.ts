/**
 * What each person chose for themselves: for now, the model their calls use when they name none.
 * @module
 */
import { InvalidInputError } from './errors.js';
import type { ModelRegistry } from './models.js';
import type { UserSettingsRepository } from './ports.js';

export class UserSettings {
  constructor(
    private readonly _repo: UserSettingsRepository,
    private readonly _registry: ModelRegistry,
  ) {}

  /** The person's default model alias, or undefined (none chosen, or a model this server no longer has). */
  async defaultModel(userId: string): Promise<string | undefined> {
    const alias = await this._repo.getDefaultModel(userId);
    return alias ? this._registry.resolve(alias)?.alias : undefined;
  }

  /** An alias of the registry, or empty to go back to the server's default. */
  async setDefaultModel(userId: string, value: string): Promise<string | undefined> {
    const wanted = value.trim();
    if (!wanted) {
      await this._repo.setDefaultModel(userId, null);
      return undefined;
    }
    const model = this._registry.resolve(wanted);
    const served = this._registry.models.filter((m) => this._registry.lifecycle(m).effective !== 'retired');
    if (!model)
      throw new InvalidInputError(
        `Unknown model "${wanted}". Choose one of: ${served.map((m) => m.alias).join(', ')}.`,
      );
    if (this._registry.lifecycle(model).effective === 'retired') {
      const replacement = this._registry.replacementOf(model);
      throw new InvalidInputError(
        `${model.name} (${model.alias}) is retired: Google no longer serves it.${replacement ? ` Choose ${replacement.alias} (${replacement.name}) instead.` : ''}`,
      );
    }
    await this._repo.setDefaultModel(userId, model.alias);
    return model.alias;
  }
}
