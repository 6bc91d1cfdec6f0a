/**
 * The budget periods: a UTC day (midnight to midnight) and a UTC month (the 1st at midnight to the next
 * 1st). Shared by the guard's messages and the stores that sum spending over a period.
 * @module
 */
import type { BudgetPeriod } from './ports.js';

/** When the period containing `now` began. */
export function periodStart(period: BudgetPeriod, now: Date): Date {
  return period === 'day'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** When the period containing `now` ends and its budget resets. */
export function periodEnd(period: BudgetPeriod, now: Date): Date {
  return period === 'day'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** `3 d 4 h`, `5 h 12 min`, `7 min`, `95 s`: how long is left, rounded up (seconds under two minutes). */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `$0.20`, `$12.50`, `$0.0670`: cents when the amount is whole cents, else four decimals. */
export function formatUsd(value: number): string {
  const cents = value * 100;
  return `$${Math.abs(cents - Math.round(cents)) < 1e-9 ? value.toFixed(2) : value.toFixed(4)}`;
}
