/**
 * The long-lived objects one server process shares between connections and requests.
 * @module
 */
import type { FullConfig } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { Studio } from '../core/studio.js';

export interface Runtime {
  config: FullConfig;
  studio: Studio;
  log: Logger;
  version: string;
  /** Base URL under which `/i/{id}.{ext}` image links are served (HTTP only). */
  publicUrl?: string;
  /** Set when the in-process emulator is in use (offline demo). */
  emulatorUrl?: string;
  close(): Promise<void>;
}
