/**
 * Wires one server process: logger, optional in-process emulator, Gemini client, storage and studio.
 * @module
 */
import path from 'node:path';
import type { FullConfig } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createModelRegistry } from '../core/models.js';
import { createStudio } from '../core/studio.js';
import { createGeminiClient } from '../gemini/index.js';
import type { Runtime } from '../server/runtime.js';
import { createImageRepository, createLocalBlobStore, newImageId, openDatabase, reconcileStorage } from '../store/index.js';
import { createLogger } from './logger.js';
import { packageVersion } from './version.js';

export const EMULATOR_API_KEY = 'emulator-offline-key';

export async function createRuntime(config: FullConfig, log: Logger = createLogger(config.logLevel)): Promise<Runtime> {
  const closers: Array<() => Promise<void>> = [];
  let registry: ReturnType<typeof createModelRegistry>;
  try {
    registry = createModelRegistry(config.models, config.defaultModel);
  } catch (error) {
    throw new ConfigError(`Invalid setting "defaultModel": ${(error as Error).message}`);
  }

  let baseUrl = config.geminiBaseUrl;
  let apiKey = config.apiKey;
  let emulatorUrl: string | undefined;
  if (config.emulator) {
    const { startEmulator } = await import('../emulator/index.js');
    const emulator = await startEmulator({ latencyMs: config.emulatorLatencyMs });
    closers.push(() => emulator.close());
    baseUrl = emulator.url;
    apiKey = EMULATOR_API_KEY;
    emulatorUrl = emulator.url;
    log.warn(
      { emulator: emulator.url },
      'Offline demo: using the built-in Gemini emulator. Images are SYNTHETIC placeholders and cost nothing. Set GEMINI_API_KEY and drop --emulator for real images.',
    );
  } else if (!apiKey && !config.vertex) {
    log.warn(
      'No Gemini API key is set (GEMINI_API_KEY or GOOGLE_API_KEY). The server runs, and every generation will explain how to set the key. Use --emulator for an offline demo.',
    );
  }

  const gemini = createGeminiClient({
    apiKey,
    baseUrl,
    vertex: config.vertex,
    timeoutMs: config.geminiTimeoutSeconds * 1000,
    maxAttempts: config.geminiMaxAttempts,
    log: (event) => {
      const { level, msg, ...rest } = event;
      log.child({ area: 'gemini' })[level](rest, msg);
    },
  });

  const database = await openDatabase({ kind: 'sqlite', path: path.join(config.dataDir, 'studio.db') });
  closers.push(() => database.close());
  const images = createImageRepository(database.db);
  const blobs = createLocalBlobStore(config.dataDir);
  // Restores "no file without its row, no row without its file" after a crash; off the start-up path.
  void reconcileStorage({ repo: images, blobs, prefix: 'images/' })
    .then((report) => log.debug({ report }, 'storage reconciled'))
    .catch((err) => log.warn({ err }, 'storage reconciliation failed'));

  const studio = createStudio({
    registry,
    generator: gemini,
    images,
    blobs,
    newImageId,
    log,
    maxReferenceBytes: config.maxReferenceMb * 1_000_000,
  });

  return {
    config,
    studio,
    log,
    version: packageVersion(),
    emulatorUrl,
    async close() {
      for (const close of closers.reverse()) await close().catch((err) => log.warn({ err }, 'close failed'));
    },
  };
}
