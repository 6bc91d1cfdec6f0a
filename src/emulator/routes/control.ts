/**
 * The `/_emulator/` control surface (JSON, no API key): lets tests in another process, benchmarks and curious
 * humans drive faults, read recorded requests and stats, move the clock and reset the emulator.
 * @module
 */
import type { EmulatorContext, RouteRequest } from '../context.js';
import { GoogleError, invalidArgument, notFound } from '../errors.js';
import { sendJson } from '../http.js';
import type { Fault, FaultKind, FaultMatch } from '../types.js';

const KINDS: ReadonlySet<string> = new Set<FaultKind>([
  'latency',
  '429',
  '500',
  '503',
  '503-html',
  '503-overloaded',
  '504',
  'hang',
  'drop',
  'malformed',
  'block',
  'refuse',
  'text-only',
  'stream-error',
  'bad-key',
]);

export function handleControl(ctx: EmulatorContext, rq: RouteRequest, route: string): void {
  sendJson(rq.res, 200, control(ctx, rq, `${rq.method} ${route}`));
}

function control(ctx: EmulatorContext, rq: RouteRequest, key: string): unknown {
  switch (key) {
    case 'POST faults': {
      const body = object(rq.json());
      const fault = parseFault(body.fault);
      const times = body.times === undefined || body.times === null ? undefined : Number(body.times);
      const match = body.match === undefined || body.match === null ? undefined : parseMatch(body.match);
      ctx.faults.enqueue(fault, { ...(times === undefined ? {} : { times }), ...(match ? { match } : {}) });
      return { faults: ctx.faults.pending() };
    }
    case 'GET faults':
      return { faults: ctx.faults.pending(), globalLatencyMs: ctx.faults.latencyMs() };
    case 'DELETE faults':
      ctx.faults.clear();
      return {};
    case 'POST faults/global': {
      const body = rq.json();
      if (body === null || body === undefined) ctx.faults.setGlobal(null);
      else {
        const latencyMs = object(body).latencyMs;
        if (latencyMs !== undefined && typeof latencyMs !== 'number')
          throw invalidArgument('latencyMs must be a number');
        ctx.faults.setGlobal(latencyMs === undefined ? null : { latencyMs });
      }
      return { globalLatencyMs: ctx.faults.latencyMs() };
    }
    case 'GET requests':
      return { requests: ctx.requests };
    case 'GET stats':
      return { ...ctx.stats };
    case 'GET clock':
      return { now: ctx.clock.now() };
    case 'POST clock/advance': {
      const ms = object(rq.json()).ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
        throw invalidArgument('ms must be a non-negative number');
      ctx.clock.advance(ms);
      return { now: ctx.clock.now() };
    }
    case 'POST files/knobs': {
      const body = object(rq.json());
      if (body.failNext !== undefined) ctx.files.knobs.failNext = Math.max(0, Math.floor(Number(body.failNext)));
      if (body.quotaBytes !== undefined) ctx.files.knobs.quotaBytes = Math.max(0, Number(body.quotaBytes));
      return { ...ctx.files.knobs, usedBytes: ctx.files.usedBytes() };
    }
    case 'POST reset':
      ctx.reset();
      return {};
    default:
      throw notFound(`No emulator control route ${key}.`);
  }
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('Expected a JSON object body.');
  }
  return value as Record<string, unknown>;
}

function parseFault(value: unknown): Fault {
  const raw = object(value);
  if (typeof raw.kind !== 'string' || !KINDS.has(raw.kind)) {
    throw new GoogleError(
      400,
      'INVALID_ARGUMENT',
      `Unknown fault kind ${JSON.stringify(raw.kind)}; expected one of ${[...KINDS].join(', ')}.`,
    );
  }
  const fault: Fault = { kind: raw.kind as FaultKind };
  if (typeof raw.latencyMs === 'number') fault.latencyMs = raw.latencyMs;
  if (typeof raw.retryDelay === 'string') fault.retryDelay = raw.retryDelay;
  if (typeof raw.retryAfterSeconds === 'number') fault.retryAfterSeconds = raw.retryAfterSeconds;
  if (typeof raw.reason === 'string') fault.reason = raw.reason;
  return fault;
}

function parseMatch(value: unknown): FaultMatch {
  const raw = object(value);
  const match: FaultMatch = {};
  if (typeof raw.model === 'string') match.model = raw.model;
  if (typeof raw.promptIncludes === 'string') match.promptIncludes = raw.promptIncludes;
  return match;
}
