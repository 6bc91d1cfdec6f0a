/**
 * Settings for running the studio for a team (issue 15): metrics, error masking, retention and the
 * maintenance schedule. Read from the environment only, next to the main configuration.
 * @module
 */
import { isPublicBind } from '../core/errorPresentation.js';
import { ConfigError } from '../core/errors.js';

export interface OperationsConfig {
  /** Serve Prometheus metrics at /metrics: on loopback binds, or anywhere once a token is set. */
  metricsEnabled: boolean;
  /** When set, /metrics needs `Authorization: Bearer <token>` (STUDIO_METRICS_TOKEN). */
  metricsToken?: string;
  /** Hide the text of unexpected errors from callers: on public binds unless STUDIO_EXPOSE_ERRORS=1. */
  maskErrors: boolean;
  /** Images older than this many days are removed by maintenance (STUDIO_RETENTION_DAYS; unset: kept). */
  retentionDays?: number;
  /** Each person's images beyond this many GB are removed, oldest first (STUDIO_RETENTION_GB; unset: no cap). */
  retentionGb?: number;
  /** How often `serve` runs maintenance, in hours (STUDIO_MAINTENANCE_HOURS; default 24, 0 = never). */
  maintenanceHours: number;
}

export function resolveOperationsConfig(host: string, env: NodeJS.ProcessEnv = process.env): OperationsConfig {
  const token = env.STUDIO_METRICS_TOKEN?.trim() || undefined;
  if (token !== undefined && token.length < 16) {
    throw new ConfigError(
      'Invalid setting "STUDIO_METRICS_TOKEN": use at least 16 characters (e.g. openssl rand -hex 32).',
    );
  }
  const metricsFlag = flag(env.STUDIO_METRICS, 'STUDIO_METRICS');
  const expose = flag(env.STUDIO_EXPOSE_ERRORS, 'STUDIO_EXPOSE_ERRORS');
  const retentionDays = positive(env.STUDIO_RETENTION_DAYS, 'STUDIO_RETENTION_DAYS');
  const retentionGb = positive(env.STUDIO_RETENTION_GB, 'STUDIO_RETENTION_GB');
  return {
    metricsEnabled: metricsFlag ?? (token !== undefined || !isPublicBind(host)),
    ...(token ? { metricsToken: token } : {}),
    maskErrors: expose === undefined ? isPublicBind(host) : !expose,
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    ...(retentionGb !== undefined ? { retentionGb } : {}),
    maintenanceHours: positive(env.STUDIO_MAINTENANCE_HOURS, 'STUDIO_MAINTENANCE_HOURS', true) ?? 24,
  };
}

function flag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  throw new ConfigError(`Invalid setting "${name}": expected 1 or 0 (true/false), got "${value}".`);
}

function positive(value: string | undefined, name: string, zeroAllowed = false): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!zeroAllowed && n === 0)) {
    throw new ConfigError(`Invalid setting "${name}": expected a positive number, got "${value}".`);
  }
  return n;
}
