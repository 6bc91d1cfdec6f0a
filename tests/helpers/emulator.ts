/** Test-side helpers around the project's Gemini emulator. */
import { type Emulator, type RecordedRequest, startEmulator } from '../../src/emulator/index.js';

export type { Emulator, RecordedRequest };
export { startEmulator };

interface GenerateBody {
  contents?: Array<{ role?: string; parts?: Array<Record<string, unknown>> }>;
  generationConfig?: Record<string, unknown> & {
    imageConfig?: Record<string, unknown>;
    thinkingConfig?: Record<string, unknown>;
  };
  systemInstruction?: { parts?: Array<{ text?: string }> };
  tools?: unknown[];
}

const TEXT_MODEL_PATH = /models\/gemini-[\d.]+-flash(-lite)?:/;

/** Image generateContent requests whose body mentions `marker` (each test uses a unique marker in its prompt). */
export function generateRequests(emu: Emulator, marker: string): Array<RecordedRequest & { body: GenerateBody }> {
  return emu.requests.filter(
    (r) =>
      /:(stream)?[gG]enerateContent/.test(r.path) &&
      !TEXT_MODEL_PATH.test(r.path) &&
      JSON.stringify(r.body ?? '').includes(marker),
  ) as Array<RecordedRequest & { body: GenerateBody }>;
}

/** Text-model (prompt engineering, concepts) requests whose body mentions `marker`. */
export function textRequests(emu: Emulator, marker: string): Array<RecordedRequest & { body: GenerateBody }> {
  return emu.requests.filter(
    (r) => TEXT_MODEL_PATH.test(r.path) && JSON.stringify(r.body ?? '').includes(marker),
  ) as Array<RecordedRequest & { body: GenerateBody }>;
}

let counter = 0;
/** A unique word to put in a prompt, so a test can find its own requests. */
export function marker(label = 'case'): string {
  counter += 1;
  return `${label}${counter}x${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs `body` with every Gemini call taking `latencyMs`, then takes the latency away again. */
export async function withLatency(emu: Emulator, latencyMs: number, body: () => Promise<void>): Promise<void> {
  emu.faults.setGlobal({ latencyMs });
  try {
    await body();
  } finally {
    emu.faults.setGlobal(null);
  }
}
