/**
 * Fault directives written straight into a prompt, for people trying the offline demo and for end-to-end tests
 * that cannot reach the emulator's control API. The directive stays in the prompt text (the product sends it
 * unchanged); the emulator strips it before drawing the image.
 *
 * Grammar: `[emulator:KIND]`, `[emulator:KIND=ARG]`, `[emulator:KINDxN]`, `[emulator:KIND=ARGxN]`
 *
 *   [emulator:429]                   every attempt fails with 429 RESOURCE_EXHAUSTED (RetryInfo retryDelay 1s)
 *   [emulator:429=2.5s]              … with retryDelay "2.5s"
 *   [emulator:429x2]                 the first 2 attempts of this exact prompt fail, the 3rd succeeds
 *   [emulator:500] [emulator:503]    INTERNAL / UNAVAILABLE JSON errors (503: today's "high demand" wording)
 *   [emulator:503-overloaded]        503 with the older "The model is overloaded" wording
 *   [emulator:504]                   504 DEADLINE_EXCEEDED
 *   [emulator:503-html]              503 with an HTML body (what a proxy or GFE serves)
 *   [emulator:hang]                  never answers (until the client gives up)
 *   [emulator:drop]                  closes the connection without a response
 *   [emulator:malformed]             200 with a truncated JSON body
 *   [emulator:block] [emulator:block=SAFETY]         promptFeedback.blockReason (default PROHIBITED_CONTENT)
 *   [emulator:refuse] [emulator:refuse=NO_IMAGE]     candidate without parts (default finishReason IMAGE_SAFETY)
 *   [emulator:text-only]             STOP with a text part and no image
 *   [emulator:stream-error]          streaming: an error event after the first chunk (non-streaming: 503)
 *   [emulator:bad-key]               400 API_KEY_INVALID
 *   [emulator:latency=1500]          answer normally after 1.5 s (combines with the others)
 *
 * Counts (`xN`) are tracked per prompt text and directive, so retries of the same prompt see the sequence;
 * `reset()` forgets them. Directives are read from the text parts of the last user turn only.
 * @module
 */
import type { Fault, FaultKind } from './types.js';

// Longest first so that `503-html` wins over `503`.
const KINDS: readonly FaultKind[] = [
  'stream-error',
  'text-only',
  'malformed',
  '503-overloaded',
  '503-html',
  'latency',
  'bad-key',
  'refuse',
  'block',
  'hang',
  'drop',
  '429',
  '500',
  '503',
  '504',
];

// The argument is lazy so that a trailing `xN` count is not swallowed by it (`[emulator:429=2sx3]`).
const DIRECTIVE = new RegExp(
  `\\[emulator:(${KINDS.map((k) => k.replace('-', '\\-')).join('|')})(?:=([^\\]\\s]+?))?(?:x(\\d+))?\\]`,
  'gi',
);

export interface Directive {
  fault: Fault;
  /** Undefined: applies to every attempt. */
  count: number | undefined;
  raw: string;
}

export function parseDirectives(prompt: string): Directive[] {
  const found: Directive[] = [];
  for (const match of prompt.matchAll(DIRECTIVE)) {
    const kind = (match[1] ?? '').toLowerCase() as FaultKind;
    const arg = match[2];
    const count = match[3] === undefined ? undefined : Number.parseInt(match[3], 10);
    found.push({ fault: toFault(kind, arg), count, raw: match[0] });
  }
  return found;
}

function toFault(kind: FaultKind, arg: string | undefined): Fault {
  if (arg === undefined) return { kind };
  switch (kind) {
    case 'latency':
      return { kind, latencyMs: Number.parseInt(arg, 10) || 0 };
    case '429':
      return { kind, retryDelay: /^\d+(\.\d+)?$/.test(arg) ? `${arg}s` : arg };
    case 'block':
    case 'refuse':
      return { kind, reason: arg.toUpperCase() };
    default:
      return { kind };
  }
}

export function stripDirectives(prompt: string): string {
  return prompt.replace(DIRECTIVE, ' ').replace(/\s+/g, ' ').trim();
}

export interface DirectiveOutcome {
  latencyMs: number;
  fault: Fault | undefined;
}

/** Remembers how many times each prompt has been attempted, for `xN` directives. */
export class DirectiveTracker {
  private readonly attempts = new Map<string, number>();

  resolve(prompt: string): DirectiveOutcome {
    const directives = parseDirectives(prompt);
    let latencyMs = 0;
    let fault: Fault | undefined;
    for (const directive of directives) {
      const key = `${directive.raw.toLowerCase()}\u0000${prompt}`;
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      if (directive.count !== undefined && attempt > directive.count) continue;
      if (directive.fault.kind === 'latency') latencyMs += directive.fault.latencyMs ?? 0;
      else fault ??= directive.fault;
    }
    return { latencyMs, fault };
  }

  clear(): void {
    this.attempts.clear();
  }
}
