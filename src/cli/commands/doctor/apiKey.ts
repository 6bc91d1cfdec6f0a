/**
 * Doctor: is there a Gemini key (or a Vertex AI project), and which one is used.
 * @module
 */
import type { FullConfig } from '../../../config/config.js';
import { type Check, type DoctorCheck, KEY_URL } from './check.js';

export const apiKeyCheck: DoctorCheck = {
  name: 'API key',
  run: ({ config, env }) => checkKeyPresent(config, env),
};

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function checkKeyPresent(config: FullConfig, env: NodeJS.ProcessEnv): Check {
  const base = { id: 'api-key', name: 'API key' };
  if (config.emulator) return { ...base, status: 'ok', detail: 'not needed in emulator mode' };
  if (config.vertex !== undefined) {
    if (config.vertex.project === undefined && config.apiKey === undefined) {
      return {
        ...base,
        status: 'fail',
        detail: 'Vertex AI is on (STUDIO_VERTEX) but there is no project and no key',
        fix: 'Set GOOGLE_CLOUD_PROJECT (and sign in with `gcloud auth application-default login`), or set GEMINI_API_KEY for Vertex express mode.',
      };
    }
    const how =
      config.vertex.project === undefined ? 'express mode with an API key' : `project ${config.vertex.project}`;
    return { ...base, status: 'ok', detail: `Vertex AI, ${how}, location ${config.vertex.location ?? 'global'}` };
  }
  const gemini = nonEmpty(env.GEMINI_API_KEY);
  const google = nonEmpty(env.GOOGLE_API_KEY);
  if (gemini !== undefined && google !== undefined && gemini !== google) {
    return {
      ...base,
      status: 'warn',
      detail: 'GEMINI_API_KEY and GOOGLE_API_KEY are both set and differ; GEMINI_API_KEY is used',
      fix: 'Unset GOOGLE_API_KEY (or make both the same key) so that every tool uses the same key.',
    };
  }
  if (gemini !== undefined) return { ...base, status: 'ok', detail: 'GEMINI_API_KEY is set' };
  if (google !== undefined) return { ...base, status: 'ok', detail: 'GOOGLE_API_KEY is set' };
  if (config.apiKey !== undefined) return { ...base, status: 'ok', detail: 'apiKey is set in the config file' };
  return {
    ...base,
    status: 'fail',
    detail: 'no Gemini API key: neither GEMINI_API_KEY nor GOOGLE_API_KEY is set',
    fix: `Get a key at ${KEY_URL} and set GEMINI_API_KEY (in your shell, or in the client with \`nanobanana-studio install <client> --api-key …\`); or use --emulator to try it offline.`,
  };
}
