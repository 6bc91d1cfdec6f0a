/** Settings: my default model, and my personal access tokens (the secret shown once). */
import { html } from 'hono/html';
import type { ModelSpec } from '../../core/models.js';
import type { AccessTokenRecord } from '../../core/ports.js';
import { csrfField, formatDate, type Html } from '../layout.js';
import type { Viewer } from '../viewer.js';

export interface SettingsView {
  models: readonly ModelSpec[];
  serverDefault: string;
  defaultModel: string | undefined;
  tokens: AccessTokenRecord[];
  /** A token just made: its secret, shown this once. */
  created?: { record: AccessTokenRecord; secret: string };
}

export function settingsBody(viewer: Viewer, view: SettingsView): Html {
  return html`<h1>Settings</h1>
<h2 id="model">Default model</h2>
<form method="post" action="/ui/settings/model">
${csrfField(viewer)}
<div class="field"><label for="default-model">Model used when a call names none</label>
<select id="default-model" name="model">
<option value=""${view.defaultModel ? '' : html` selected`}>Server default (${view.serverDefault})</option>
${view.models.map((m) => html`<option value="${m.alias}"${view.defaultModel === m.alias ? html` selected` : ''}>${m.alias}: ${m.name}</option>`)}
</select></div>
<button type="submit">Save default model</button>
</form>
<h2 id="tokens">Access tokens</h2>
${viewer.local ? html`<p class="muted">Access tokens are for a studio with sign-in on. This one serves only this computer, so clients need none.</p>` : tokensSection(viewer, view)}`;
}

function tokensSection(viewer: Viewer, view: SettingsView): Html {
  const active = view.tokens.filter((t) => !t.revokedAt);
  return html`<p class="muted">For MCP clients that only take a header: <code>Authorization: Bearer nbs_pat_…</code>. A token acts as you until you revoke it.</p>
${
  view.created
    ? html`<div class="notice" role="status"><p>Your new token “${view.created.record.name}”. Copy it now: it is shown only this once.</p>
<p class="secret" id="new-token">${view.created.secret}</p></div>`
    : ''
}
${
  active.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Made</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Revoke</span></th></tr></thead><tbody>
${active.map(
  (
    t,
  ) => html`<tr><td>${t.name}</td><td>${formatDate(t.createdAt)}</td><td>${t.lastUsedAt ? formatDate(t.lastUsedAt) : 'never'}</td>
<td><form class="inline" method="post" action="/ui/settings/tokens/${t.id}/revoke">${csrfField(viewer)}<button class="secondary" type="submit" aria-label="Revoke ${t.name}">Revoke</button></form></td></tr>`,
)}</tbody></table></div>`
    : html`<p class="muted">You have no access tokens.</p>`
}
<form method="post" action="/ui/settings/tokens">
${csrfField(viewer)}
<div class="field"><label for="token-name">New token’s name</label>
<input id="token-name" name="name" required maxlength="80" placeholder="e.g. laptop"></div>
<button type="submit">Create token</button>
</form>`;
}
