/**
 * The long-lived objects one server process shares between connections and requests.
 * @module
 */
import type { FullConfig } from '../config/config.js';
import type { OperationsConfig } from '../config/operations.js';
import type { Logger } from '../core/logger.js';
import type { PipelineEngine } from '../core/pipelines/engine.js';
import type { BlobStore } from '../core/ports.js';
import type { Studio } from '../core/studio.js';

export interface Runtime {
  config: FullConfig;
  /** Metrics, error masking, retention (absent: defaults for a loopback bind). */
  operations?: OperationsConfig;
  /**
   * The studio, once storage is open. Start-up does not wait for it, so the MCP handshake is answered
   * while the database and heavy modules load; the first tool call waits if it has to.
   */
  studio(): Promise<Studio>;
  /** The pipeline engine (same readiness as the studio). */
  pipelines(): Promise<PipelineEngine>;
  /** The open database, for the sign-in server's own tables (same readiness as the studio). */
  database(): Promise<{ kind: 'sqlite' | 'postgres'; db: unknown }>;
  /** Where images and uploads are kept (the local folder or an S3 bucket; same readiness as the studio). */
  blobs(): Promise<BlobStore>;
  log: Logger;
  version: string;
  /** Base URL under which `/i/{id}.{ext}` image links are served (HTTP only). */
  publicUrl?: string;
  /** Set when the in-process emulator is in use (offline demo). */
  emulatorUrl?: string;
  /**
   * Stops taking pipeline work and lets running pipelines finish for the shutdown grace period; then stops
   * the rest (handed back to other instances with a shared queue, resumable on the next start otherwise).
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}
