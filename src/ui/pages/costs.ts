/** Costs: per day (the last 30) and per model, totals, and for admins a table per person. */
import { html } from 'hono/html';
import { formatUsd } from '../../core/budgetPeriods.js';
import type { ImageCostSummary, UsageRow } from '../../core/ports.js';
import { barChart, columnChart } from '../charts.js';
import type { Html } from '../layout.js';
import type { Viewer } from '../viewer.js';

export const COST_DAYS = 30;

/** The first day the Costs and Admin pages count from: COST_DAYS days up to today (UTC), as YYYY-MM-DD. */
export function costsSince(now: Date): string {
  return new Date(now.getTime() - (COST_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
}

export function costsBody(viewer: Viewer, summary: ImageCostSummary, now: Date, perUser?: UsageRow[]): Html {
  const days = lastDays(now, COST_DAYS);
  const byDay = new Map(summary.byDay.map((d) => [d.day, d]));
  const dayBars = days.map((day) => {
    const d = byDay.get(day);
    const cost = d?.costUsd ?? 0;
    return {
      label: day.slice(5),
      value: cost,
      valueLabel: `$${cost >= 0.01 ? cost.toFixed(2) : cost.toFixed(3)}`,
      title: `${day}: ${formatUsd(cost)}, ${d?.images ?? 0} images`,
    };
  });
  const monthTotal = summary.byDay.reduce((sum, d) => sum + d.costUsd, 0);
  const allTotal = summary.byModel.reduce((sum, m) => sum + m.costUsd, 0);
  const allImages = summary.byModel.reduce((sum, m) => sum + m.images, 0);
  const whose = viewer.isAdmin && !viewer.local ? 'Everyone’s' : 'My';
  return html`<h1>${whose} costs</h1>
<p class="muted">List prices of the billed Gemini image calls (deleting an image refunds nothing). Days are UTC.</p>
<ul class="totals">
<li>Last ${COST_DAYS} days<strong>${formatUsd(monthTotal)}</strong></li>
<li>All time<strong>${formatUsd(allTotal)}</strong></li>
<li>Images billed<strong>${allImages}</strong></li>
${summary.emulatedImages > 0 ? html`<li>Emulated (free)<strong>${summary.emulatedImages}</strong></li>` : ''}
</ul>
${
  summary.emulatedImages > 0
    ? html`<p class="muted">${summary.emulatedImages} image${summary.emulatedImages === 1 ? ' was' : 's were'} made by the offline emulator: synthetic, billed at $0.</p>`
    : ''
}
<h2>Per day, last ${COST_DAYS} days</h2>
${columnChart(dayBars, `Cost per day over the last ${COST_DAYS} days; ${formatUsd(monthTotal)} in total`)}
<h2>Per model, all time</h2>
${
  summary.byModel.length
    ? html`${barChart(
        summary.byModel.map((m) => ({
          label: m.modelAlias,
          value: m.costUsd,
          title: `${formatUsd(m.costUsd)} (${m.images})`,
        })),
        'Cost per model',
      )}
<div class="table-wrap"><table><caption class="sr-only">Cost per model</caption>
<thead><tr><th scope="col">Model</th><th scope="col" class="num">Images</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${summary.byModel.map((m) => html`<tr><td>${m.modelAlias}</td><td class="num">${m.images}</td><td class="num">${formatUsd(m.costUsd)}</td></tr>`)}</tbody>
</table></div>`
    : html`<p class="muted">Nothing billed yet.</p>`
}
${perUser ? usersTable(perUser) : ''}`;
}

/** One row per person: images billed and what they cost. */
export function usersTable(rows: UsageRow[]): Html {
  const byOwner = new Map<string, { email: string | null; images: number; costUsd: number }>();
  for (const r of rows) {
    const o = byOwner.get(r.ownerId) ?? { email: r.email, images: 0, costUsd: 0 };
    o.images += r.images;
    o.costUsd += r.costUsd;
    byOwner.set(r.ownerId, o);
  }
  const sorted = [...byOwner].sort((a, b) => b[1].costUsd - a[1].costUsd);
  return html`<h2>Per person, all time</h2>
${
  sorted.length
    ? html`<div class="table-wrap"><table id="per-user"><thead><tr><th scope="col">Person</th><th scope="col" class="num">Images</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${sorted.map(([id, o]) => html`<tr><td>${o.email ?? id}</td><td class="num">${o.images}</td><td class="num">${formatUsd(o.costUsd)}</td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">Nobody has been billed yet.</p>`
}`;
}

function lastDays(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    new Date(now.getTime() - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
