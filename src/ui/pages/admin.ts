/** Admin: usage per model over 30 days, budgets per person (view and set), the allow-list in force. */
import { html } from 'hono/html';
import { formatUsd } from '../../core/budgetPeriods.js';
import type { Budget, StorageUse, UsageRow } from '../../core/ports.js';
import { barChart } from '../charts.js';
import { csrfField, type Html } from '../layout.js';
import type { Viewer } from '../viewer.js';
import { type AccessListView, accessListSection } from './accessList.js';
import { COST_DAYS } from './costs.js';

export interface AdminView {
  usage: UsageRow[];
  budgets: Budget[];
  allowedEmails: readonly string[];
  adminEmails: readonly string[];
  /** The allow-list kept in the database (editable); without it, the configuration's is shown. */
  access?: AccessListView;
  /** Each person's stored images (absent: not known here). */
  storage?: StorageUse[];
}

export function adminBody(viewer: Viewer, view: AdminView): Html {
  const byModel = new Map<string, { images: number; costUsd: number }>();
  const people = new Map<string, string | null>();
  for (const r of view.usage) {
    const m = byModel.get(r.modelAlias) ?? { images: 0, costUsd: 0 };
    m.images += r.images;
    m.costUsd += r.costUsd;
    byModel.set(r.modelAlias, m);
    people.set(r.ownerId, r.email);
  }
  for (const b of view.budgets) if (!people.has(b.ownerId)) people.set(b.ownerId, null);
  const budgets = new Map(view.budgets.map((b) => [b.ownerId, b]));
  const models = [...byModel].sort((a, b) => b[1].costUsd - a[1].costUsd);
  return html`<h1>Admin</h1>
<h2>Usage per model, last ${COST_DAYS} days</h2>
${
  models.length
    ? html`${barChart(
        models.map(([alias, m]) => ({
          label: alias,
          value: m.costUsd,
          title: `${formatUsd(m.costUsd)} (${m.images})`,
        })),
        `Cost per model over the last ${COST_DAYS} days`,
      )}
<div class="table-wrap"><table id="usage-per-model"><thead><tr><th scope="col">Model</th><th scope="col" class="num">Images</th><th scope="col" class="num">Cost</th></tr></thead>
<tbody>${models.map(([alias, m]) => html`<tr><td>${alias}</td><td class="num">${m.images}</td><td class="num">${formatUsd(m.costUsd)}</td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">No billed calls in the last ${COST_DAYS} days.</p>`
}
${view.storage ? storageSection(view.storage) : ''}
<h2>Budgets per person</h2>
<p class="muted">Amounts in USD per UTC day and month; requests per minute. Leave a field empty for no limit.</p>
${[...people].map(([ownerId, email]) => budgetForm(viewer, ownerId, email, budgets.get(ownerId)))}
<h3>Someone else</h3>
${budgetForm(viewer, undefined, null, undefined)}
${view.access ? accessListSection(viewer, view.access) : configuredList(viewer, view)}`;
}

function configuredList(viewer: Viewer, view: AdminView): Html {
  return html`<h2>Allow-list in force</h2>
<p class="muted">From the server’s configuration (STUDIO_ALLOWED_EMAILS, STUDIO_ADMIN_EMAILS); change it there and restart.</p>
${
  viewer.local
    ? html`<p>Sign-in is off: this studio serves only this computer, without an allow-list.</p>`
    : html`<ul id="allow-list">${view.allowedEmails.map((e) => html`<li>${e}${view.adminEmails.includes(e) ? ' (admin)' : ''}</li>`)}</ul>`
}`;
}

function budgetForm(
  viewer: Viewer,
  ownerId: string | undefined,
  email: string | null,
  budget: Budget | undefined,
): Html {
  const value = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  const id = ownerId ?? 'new';
  return html`<form class="budget-form" method="post" action="/ui/admin/budgets">
${csrfField(viewer)}
${
  ownerId
    ? html`<input type="hidden" name="owner" value="${ownerId}"><strong>${email ?? ownerId}</strong>`
    : html`<div><label for="owner-${id}">User id</label><input id="owner-${id}" name="owner" required></div>`
}
<div><label for="daily-${id}">Daily USD</label><input id="daily-${id}" name="daily" inputmode="decimal" value="${value(budget?.dailyUsd)}"></div>
<div><label for="monthly-${id}">Monthly USD</label><input id="monthly-${id}" name="monthly" inputmode="decimal" value="${value(budget?.monthlyUsd)}"></div>
<div><label for="rpm-${id}">Requests/min</label><input id="rpm-${id}" name="rpm" inputmode="numeric" value="${value(budget?.requestsPerMinute)}"></div>
<button type="submit">Save budget</button>
</form>`;
}

function storageSection(rows: StorageUse[]): Html {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const own = (r: StorageUse) =>
    [r.retentionDays === null ? '' : `${r.retentionDays} days`, r.retentionGb === null ? '' : `${r.retentionGb} GB`]
      .filter(Boolean)
      .join(', ') || 'deployment’s';
  return html`<h2>Storage per person</h2>
${
  rows.length
    ? html`<div class="table-wrap"><table id="storage-per-person"><thead><tr><th scope="col">Person</th><th scope="col" class="num">Images</th><th scope="col" class="num">Stored</th><th scope="col">Retention</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.email ?? r.ownerId}</td><td class="num">${r.images}</td><td class="num">${mb(r.bytes)}</td><td>${own(r)}</td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">No images stored.</p>`
}`;
}
