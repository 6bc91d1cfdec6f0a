/**
 * Doctor: does the key work (one free call listing the models), and which Nano Banana models can it use.
 * @module
 */
import type { FullConfig } from '../../../config/config.js';
import { AppError } from '../../../core/errors.js';
import { createModelRegistry } from '../../../core/models.js';
import { modelsCheck } from '../modelStatus.js';
import { type Check, type DoctorCheck, KEY_URL } from './check.js';

export const keyAndModelsCheck: DoctorCheck = {
  name: 'Key works, Models',
  run: ({ config, timeoutMs, earlier }) => checkKeyAndModels(config, earlier('api-key')?.status !== 'fail', timeoutMs),
};

/** One `GET /models`: proves the key works and tells which image models it can use. */
async function checkKeyAndModels(config: FullConfig, haveKey: boolean, timeoutMs: number): Promise<Check[]> {
  const keyBase = { id: 'key-valid', name: 'Key works' };
  const modelsBase = { id: 'models', name: 'Models' };
  if (!haveKey) {
    return [
      { ...keyBase, status: 'skip', detail: 'skipped: no key' },
      { ...modelsBase, status: 'skip', detail: 'skipped: no key' },
    ];
  }
  const [{ createGeminiClient }, { EMULATOR_API_KEY }] = await Promise.all([
    import('../../../gemini/index.js'),
    import('../../createRuntime.js'),
  ]);
  let emulator: { url: string; close(): Promise<void> } | undefined;
  let models: Array<{ id: string }>;
  const started = Date.now();
  const where = config.emulator
    ? 'the built-in emulator'
    : config.geminiBaseUrl
      ? `${config.geminiBaseUrl} (GEMINI_BASE_URL)`
      : config.vertex
        ? 'Vertex AI'
        : 'Gemini';
  try {
    if (config.emulator) {
      const { startEmulator } = await import('../../../emulator/index.js');
      emulator = await startEmulator();
    }
    const client = createGeminiClient({
      apiKey: emulator ? EMULATOR_API_KEY : config.apiKey,
      baseUrl: emulator?.url ?? config.geminiBaseUrl,
      vertex: emulator ? undefined : config.vertex,
      timeoutMs,
      maxAttempts: 1,
    });
    models = await client.listModels();
  } catch (error) {
    const message = error instanceof AppError ? error.message : (error as Error).message;
    const code = error instanceof AppError ? error.code : undefined;
    const fix =
      code === 'auth'
        ? `Set a valid key in GEMINI_API_KEY (create one at ${KEY_URL}); check that it has no extra spaces or quotes.`
        : code === 'quota'
          ? 'Wait a minute and run this again; check the project’s limits in Google AI Studio.'
          : code === 'timeout' || code === 'upstream'
            ? 'Check the network connection, any proxy, and GEMINI_BASE_URL (unset it to use Google); then run this again.'
            : 'Check GEMINI_BASE_URL and the network, then run this again.';
    return [
      { ...keyBase, status: 'fail', detail: `${where} refused or did not answer: ${message}`, fix },
      { ...modelsBase, status: 'skip', detail: 'skipped: the key check failed' },
    ];
  } finally {
    await emulator?.close();
  }
  const keyCheck: Check = {
    ...keyBase,
    status: 'ok',
    detail: `${where} accepted the key and listed ${models.length} models (${Date.now() - started} ms)`,
  };

  const registry = createModelRegistry(config.models, config.defaultModel);
  return [
    keyCheck,
    modelsCheck(
      registry,
      models.map((m) => m.id),
      config.vertex !== undefined,
    ),
  ];
}
