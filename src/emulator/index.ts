/**
 * The Gemini emulator: a local HTTP server that speaks the Gemini REST wire format closely enough that the
 * unmodified `@google/genai` SDK cannot tell it from Google. It backs the offline demo mode, every test and
 * every benchmark. It plays Google's side and shares no code with the rest of the product on purpose.
 *
 * ```ts
 * const emulator = await startEmulator();
 * const ai = new GoogleGenAI({ apiKey: 'test-key', apiVersion: 'v1beta', httpOptions: { baseUrl: emulator.url } });
 * ```
 * @module
 */
import { createClock } from './clock.js';
import type { EmulatorContext } from './context.js';
import { DirectiveTracker } from './directives.js';
import { FaultQueue } from './faults.js';
import { FileStore } from './fileStore.js';
import { extraModel } from './models.js';
import { QuotaMeter } from './quota.js';
import { ImageRenderer } from './render.js';
import { startServer } from './server.js';
import type { Emulator, EmulatorOptions, EmulatorStats } from './types.js';

export type { QuotaArrival, QuotaSetting } from './quota.js';
export type {
  Emulator,
  EmulatorOptions,
  EmulatorStats,
  Fault,
  FaultKind,
  FaultMatch,
  RecordedRequest,
} from './types.js';

function startingAt(startAt: string | number | undefined): (() => number) | undefined {
  if (startAt === undefined) return undefined;
  const target = typeof startAt === 'number' ? startAt : Date.parse(startAt);
  if (!Number.isFinite(target)) throw new RangeError(`startAt is not a date: ${String(startAt)}`);
  const delta = target - Date.now();
  return () => Date.now() + delta;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const clock = createClock(options.now ?? startingAt(options.startAt));
  const stats: EmulatorStats = {
    generateCalls: 0,
    imagesReturned: 0,
    renderMsTotal: 0,
    serverMsTotal: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
  const ctx: EmulatorContext = {
    clock,
    files: new FileStore(() => clock.now()),
    faults: new FaultQueue(options.latencyMs ?? 0),
    quota: new QuotaMeter(),
    directives: new DirectiveTracker(),
    renderer: new ImageRenderer(64),
    stats,
    requests: [],
    extraModels: new Map((options.extraModels ?? []).map((m) => [m.id, extraModel(m.id, m.like, m.displayName)])),
    log,
    reset: () => {
      // Cleared in place: callers may hold `emulator.requests`. The render cache survives (it is pure).
      ctx.requests.length = 0;
      ctx.faults.clear();
      ctx.quota.set(null);
      ctx.files.clear();
      ctx.directives.clear();
      Object.assign(stats, {
        generateCalls: 0,
        imagesReturned: 0,
        renderMsTotal: 0,
        serverMsTotal: 0,
        maxInFlight: stats.inFlight,
      });
    },
  };
  const running = await startServer(ctx, { apiKey: options.apiKey }, host, options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${running.port}`;
  log(`gemini emulator listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port: running.port,
    requests: ctx.requests,
    faults: {
      enqueue: (fault, enqueueOptions) => ctx.faults.enqueue(fault, enqueueOptions),
      setGlobal: (fault) => ctx.faults.setGlobal(fault),
      clear: () => ctx.faults.clear(),
    },
    quota: {
      set: (setting) => ctx.quota.set(setting),
      arrivals: () => [...ctx.quota.arrivals],
    },
    clock: { now: () => clock.now(), advance: (ms) => clock.advance(ms) },
    files: {
      failNext: (count = 1) => {
        ctx.files.knobs.failNext = count;
      },
      setQuotaBytes: (bytes) => {
        ctx.files.knobs.quotaBytes = bytes;
      },
      usedBytes: () => ctx.files.usedBytes(),
    },
    stats: () => ({ ...stats }),
    reset: ctx.reset,
    close: () => {
      closing ??= running.close().then(() => {
        ctx.renderer.clear();
        log('gemini emulator closed');
      });
      return closing;
    },
  };
}
