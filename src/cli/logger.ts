import pino from 'pino';
import type { Logger } from '../core/logger.js';

/** Logs go to stderr: on stdio, stdout belongs to the protocol. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'nanobanana-studio' } }, pino.destination({ fd: 2, sync: false }));
}
