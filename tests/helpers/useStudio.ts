/**
 * The set-up most specs share, said once: the file's Gemini emulator (`useEmulator`) and one studio process per
 * describe block (`useStudio`), each started in `beforeAll` and stopped in `afterAll` of the block that calls
 * it. Both return stand-ins that read through to what was started, so a spec uses `emu.url` and
 * `studio.client` as it would the objects themselves, and `studio.call(tool, args)` for a tool call.
 */
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, startEmulator } from './emulator.js';
import { standIn } from './standIn.js';
import { type StartOptions, type StudioProcess, startStudio, type TransportKind } from './studio.js';

/** A tool call's result as the specs read it. */
export type ToolResult = {
  content: unknown[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
};

/** A started studio, and its tools called by name. */
export interface UsedStudio extends StudioProcess {
  call(name: string, args: Record<string, unknown>, options?: { timeout?: number }): Promise<ToolResult>;
}

export interface UseStudioOptions extends StartOptions {
  /** The emulator that plays Gemini (its URL becomes GEMINI_BASE_URL); none with `--emulator` or no key. */
  emulator?: Emulator;
}

/** The spec file's (or block's) Gemini emulator, started before its tests and closed after them. */
export function useEmulator(options?: Parameters<typeof startEmulator>[0]): Emulator {
  const emu = standIn<Emulator>('the emulator');
  beforeAll(async () => {
    emu.set(await startEmulator(options));
  });
  afterAll(async () => {
    await emu.get()?.close();
    emu.set(undefined);
  });
  return emu.target;
}

/**
 * One studio process over `kind` for the calling describe block; its data folder is removed after the
 * block. `options` may be a function, read in `beforeAll`, for values known only then (a folder made
 * by an earlier hook).
 */
export function useStudio(kind: TransportKind, options: UseStudioOptions | (() => UseStudioOptions) = {}): UsedStudio {
  const studio: ReturnType<typeof standIn<UsedStudio>> = standIn<UsedStudio>(`the ${kind} studio`, {
    call: (name, args, callOptions): Promise<ToolResult> =>
      studio.target.client.callTool({ name, arguments: args }, callOptions) as Promise<ToolResult>,
  });
  beforeAll(async () => {
    const { emulator, ...start } = typeof options === 'function' ? options() : options;
    const started = await startStudio(kind, { ...(emulator ? { geminiUrl: emulator.url } : {}), ...start });
    studio.set(started as UsedStudio); // `call` is the stand-in's own
  });
  afterAll(async () => {
    await studio.get()?.close({ removeData: true });
    studio.set(undefined);
  });
  return studio.target;
}
