/**
 * What every command for people shares: parsing its arguments (a bad one exits 2 with one line),
 * `--help`, resolving the same configuration as the servers (config file, environment, flags), opening the
 * same data folder as the owner `local` (so the servers' gallery sees what the command line made), a
 * quiet human logger, Ctrl-C, and turning any error into one line on stderr and its exit code.
 * @module
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { FullConfig } from '../../config/config.js';
import { resolveConfig } from '../../config/config.js';
import { AppError, AuthError, CancelledError, InternalError, InvalidInputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Caller, PipelineEngine } from '../../core/pipelines/engine.js';
import { LOCAL_OWNER, type Studio } from '../../core/studio.js';
import type { Runtime } from '../../server/runtime.js';
import { EXIT, exitCodeFor } from '../exitCodes.js';
import { writeJson } from './output.js';
import { stderrLine } from './progress.js';
import { forTerminal } from './terminalWording.js';

export const PROGRAM = 'nanobanana-studio';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const COMMON_HELP = `  --data-dir DIR     Data folder (database and images). Env STUDIO_DATA_DIR.
  --config FILE      JSON config file, as for the server. Env STUDIO_CONFIG.
  --verbose          Log what happens (info level) on stderr.
  -h, --help         Show this help.`;

type Parsed<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
>;

export interface CommandDefinition<T extends ParseArgsOptionsConfig> {
  /** `generate`, `list`, … */
  name: string;
  help: string;
  options: T;
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number };
}

/**
 * Parses `argv`, answers `--help`, and runs `body`; every error becomes one line on stderr (and, with
 * `--json`, an `{"error": …}` object on stdout) and the exit code of exitCodes.ts.
 */
export async function runCommand<T extends ParseArgsOptionsConfig>(
  argv: string[],
  definition: CommandDefinition<T>,
  body: (args: Parsed<T>) => Promise<number>,
): Promise<number> {
  const json = argv.includes('--json');
  try {
    let parsed: Parsed<T>;
    try {
      parsed = parseArgs({ args: argv, options: definition.options, allowPositionals: true, strict: true });
    } catch (error) {
      throw usage(definition.name, (error as Error).message);
    }
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${definition.help}\n`);
      return EXIT.ok;
    }
    const { min, max } = definition.positionals;
    if (parsed.positionals.length < min) throw usage(definition.name, 'Missing argument.');
    if (parsed.positionals.length > max) {
      throw usage(definition.name, `Unexpected argument "${parsed.positionals[max]}".`);
    }
    return await body(parsed);
  } catch (error) {
    return reportError(error, json);
  }
}

export function usage(command: string, message: string): InvalidInputError {
  return new InvalidInputError(`${message.replace(/\.?$/, '.')} Run ${PROGRAM} ${command} --help for the options.`);
}

/** One line on stderr; the exit code that tells scripts what kind of failure it was. */
export function reportError(error: unknown, json: boolean): number {
  const known = error instanceof AppError && !(error instanceof InternalError);
  const detail = error instanceof InternalError ? error.detail : (error as Error)?.message;
  const message = known ? forTerminal(error.message) : `Unexpected error: ${detail ?? String(error)}`;
  const code = known ? exitCodeFor(error.code) : EXIT.internal;
  stderrLine(`${PROGRAM}: ${message}`);
  if (json) writeJson({ error: { code: known ? error.code : 'internal', message, exit_code: code } });
  return code;
}

/** Parses an integer option, or says what would work. */
export function intOption(
  command: string,
  name: string,
  raw: string | undefined,
  range: { min: number; max: number },
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw usage(command, `--${name} expects a whole number from ${range.min} to ${range.max}, got "${raw}"`);
  }
  return n;
}

export interface CommandContext {
  config: FullConfig;
  runtime: Runtime;
  studio: Studio;
  pipelines: PipelineEngine;
  /** The same owner as the MCP servers, so their gallery shows these images. */
  caller: Caller;
  log: Logger;
}

/** The common flags as parseArgs returns them (COMMON_OPTIONS, plus --emulator for the image commands). */
export interface CommonFlags {
  'data-dir'?: string;
  config?: string;
  verbose?: boolean;
  emulator?: boolean;
  'emulator-latency-ms'?: string;
}

export interface OpenOptions {
  /** The command calls Gemini: a missing key stops it at once (exit 5). */
  gemini: boolean;
}

/** Resolves the configuration, opens the data folder and runs `body`; always closes what it opened. */
export async function withStudio<R>(
  flags: CommonFlags,
  options: OpenOptions,
  body: (ctx: CommandContext) => Promise<R>,
): Promise<R> {
  const latency = flags['emulator-latency-ms'];
  if (latency !== undefined && !(Number(latency) >= 0)) {
    throw new InvalidInputError(`--emulator-latency-ms expects a number of milliseconds, got "${latency}".`);
  }
  const config = resolveConfig({
    flags: {
      emulator: flags.emulator || undefined,
      dataDir: flags['data-dir'],
      ...(latency === undefined ? {} : { emulatorLatencyMs: Number(latency) }),
    },
    configFile: flags.config,
  });
  if (options.gemini && !config.emulator && !config.apiKey && !config.vertex) {
    throw new AuthError(
      'No Gemini API key is set. Set GEMINI_API_KEY (or GOOGLE_API_KEY), or add --emulator for offline synthetic images.',
    );
  }
  // Commands that never call Gemini stay silent about Gemini settings.
  const log = createHumanLogger(flags.verbose ? 'info' : options.gemini ? 'warn' : 'error');
  const { createRuntime } = await import('../createRuntime.js');
  // A one-shot command waits for its own pipelines; whatever else it holds when it is done (from a shared
  // queue) it hands back at once rather than finishing it.
  const runtime = createRuntime({ ...config, shutdownGraceSeconds: 0 }, log, {
    recoverPipelines: false,
    reconcileStorage: false,
    readModelList: false,
  });
  try {
    const [studio, pipelines] = await Promise.all([runtime.studio(), runtime.pipelines()]);
    return await body({ config, runtime, studio, pipelines, caller: { ownerId: LOCAL_OWNER }, log });
  } finally {
    await runtime.close();
  }
}

/**
 * An AbortSignal that the first Ctrl-C aborts (the command cancels its pipelines and exits 130); a
 * second Ctrl-C quits at once.
 */
export function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    stderrLine(`${PROGRAM}: cancelling… (Ctrl-C again to quit at once)`);
    controller.abort(new CancelledError('Cancelled (Ctrl-C).'));
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/** Plain lines on stderr ("nanobanana-studio: warning: …"), not JSON: a person reads them. */
export function createHumanLogger(level: Level): Logger {
  const threshold = LEVELS.indexOf(level);
  const at =
    (name: Level) =>
    (obj: object | string, msg?: string): void => {
      if (LEVELS.indexOf(name) < threshold) return;
      stderrLine(`${PROGRAM}: ${name === 'warn' ? 'warning' : name}: ${formatLog(obj, msg)}`);
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

function formatLog(obj: object | string, msg: string | undefined): string {
  if (typeof obj === 'string') return obj;
  const { err, ...rest } = obj as { err?: unknown } & Record<string, unknown>;
  const details = Object.entries(rest)
    .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
    .map(([k, v]) => `${k}=${String(v)}`);
  const reason = err === undefined ? '' : `: ${err instanceof Error ? err.message : String(err)}`;
  return `${msg ?? ''}${reason}${details.length ? ` (${details.join(' ')})` : ''}`.trim();
}
