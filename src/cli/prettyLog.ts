/**
 * Log lines for a person at a terminal: `12:04:31 WARN  message key=value`, coloured by level, instead of
 * pino's JSON (which stays the format when stderr is a file or a pipe, for log collectors). A small pino
 * destination: each JSON line pino writes is reformatted and written to stderr at once.
 * @module
 */
import { inspect } from 'node:util';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[90m'],
  30: ['INFO ', '\x1b[36m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
const RESET = '\x1b[0m';
const HIDDEN = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname', 'err']);

/** Whether logs should be for people: STUDIO_LOG_FORMAT=pretty|json decides, else whether stderr is a terminal. */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv = process.env, tty = process.stderr.isTTY === true): boolean {
  const format = env.STUDIO_LOG_FORMAT?.trim().toLowerCase();
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return tty;
}

export function formatLogLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const [label, tint] = LEVELS[Number(entry.level)] ?? ['LOG  ', ''];
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : inspect(v, { breakLength: Infinity, depth: 3 })}`,
    );
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const level = colour ? `${tint}${label}${RESET}` : label;
  let line = `${time} ${level} ${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}`;
  if (err)
    line += `\n  ${(Number(entry.level) >= 50 && err.stack ? err.stack : (err.message ?? '')).replaceAll('\n', '\n  ')}`;
  return `${line}\n`;
}

/** A pino destination that writes formatted lines to stderr. */
export function prettyStderr(colour = process.stderr.isTTY === true && !process.env.NO_COLOR) {
  return {
    write(chunk: string): void {
      process.stderr.write(formatLogLine(chunk.trimEnd(), colour));
    },
  };
}
