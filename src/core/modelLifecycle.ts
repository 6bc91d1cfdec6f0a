/**
 * Model lifecycle as data: each model's status (preview, GA, deprecated, retired), its release, deprecation and
 * shutdown dates and its named replacement. Google changes image model ids every few months; keeping this as
 * data (overridable from the configuration) lets a server follow the next change without a release.
 *
 * The status that counts is the *effective* one: a model whose shutdown date has passed is retired even if its
 * data still says deprecated, and when the key's `models.list` is known, it has the last word (a model it still
 * lists is served, one it no longer lists is not).
 * @module
 */

export const MODEL_STATUSES = ['preview', 'ga', 'deprecated', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export interface ModelLifecycle {
  status: ModelStatus;
  /** ISO dates (`YYYY-MM-DD`, UTC). */
  released?: string;
  deprecated?: string;
  shutdown?: string;
  /** Alias of the model Google names as the replacement. */
  replacement?: string;
  /** Where the dates come from, for `doctor` and the README (e.g. "Google deprecations page"). */
  source?: string;
}

/** What the server knows about the models the key can use (`models.list`), if anything yet. */
export interface ServedModels {
  ids: ReadonlySet<string>;
  /** When the list was read (ms since epoch). */
  at: number;
}

export interface EffectiveLifecycle extends ModelLifecycle {
  /** The status after applying the dates and the key's model list. */
  effective: ModelStatus;
  /** Why `effective` differs from the data, if it does. */
  reason?: string;
}

const DAY = 24 * 3600 * 1000;

export function parseLifecycleDate(value: string): number {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(t)) throw new Error(`"${value}" is not a date (expected YYYY-MM-DD).`);
  return t;
}

/**
 * The status of a model with this lifecycle at `now`. `listed` is whether the key's `models.list` shows the
 * model id (undefined when the list is not known).
 */
export function effectiveLifecycle(lifecycle: ModelLifecycle, now: number, listed?: boolean): EffectiveLifecycle {
  const past = (date: string | undefined) => date !== undefined && parseLifecycleDate(date) <= now;
  let effective: ModelStatus = lifecycle.status;
  let reason: string | undefined;
  if (effective !== 'retired' && past(lifecycle.shutdown)) {
    effective = 'retired';
    reason = `its shutdown date ${lifecycle.shutdown} has passed`;
  } else if ((effective === 'preview' || effective === 'ga') && past(lifecycle.deprecated)) {
    effective = 'deprecated';
    reason = `deprecated since ${lifecycle.deprecated}`;
  }
  if (listed === true && effective === 'retired') {
    effective = 'deprecated';
    reason = 'your key’s model list still shows it';
  } else if (listed === false && effective !== 'retired') {
    effective = 'retired';
    reason = 'your key’s model list no longer shows it';
  }
  return { ...lifecycle, effective, ...(reason ? { reason } : {}) };
}

/** True when the list is older than a day (the cache is refreshed daily). */
export function isStale(served: ServedModels | undefined, now: number): boolean {
  return served === undefined || now - served.at > DAY;
}

/** "deprecated since 2026-10-06, shutdown 2026-10-29, replaced by nb2.1" */
export function describeLifecycle(lifecycle: EffectiveLifecycle): string {
  const label: Record<ModelStatus, string> = {
    preview: 'preview',
    ga: 'GA',
    deprecated: 'deprecated',
    retired: 'retired',
  };
  const parts = [label[lifecycle.effective]];
  if (lifecycle.released) parts.push(`released ${lifecycle.released}`);
  if (lifecycle.deprecated) parts.push(`deprecated ${lifecycle.deprecated}`);
  if (lifecycle.shutdown) parts.push(`shutdown ${lifecycle.shutdown}`);
  if (lifecycle.replacement && lifecycle.effective !== 'ga' && lifecycle.effective !== 'preview') {
    parts.push(`replaced by ${lifecycle.replacement}`);
  }
  if (lifecycle.reason) parts.push(`(${lifecycle.reason})`);
  return parts.join(', ');
}
