/** Admin: the allow-list (add, change the role of, remove an email) and the audit log of its changes. */
import { html } from 'hono/html';
import type { AccessAuditEntry, AccessEntry } from '../../core/accessList.js';
import { csrfField, type Html } from '../layout.js';
import type { Viewer } from '../viewer.js';

export interface AccessListView {
  entries: AccessEntry[];
  /** On the list by the server's configuration (not removable here). */
  isConfigured(email: string): boolean;
  audit: AccessAuditEntry[];
}

export function accessListSection(viewer: Viewer, view: AccessListView): Html {
  return html`<h2>Who may sign in</h2>
<p class="muted">Changes apply on every instance from the next request; people taken off are refused at once. People of the server's configuration (STUDIO_ALLOWED_EMAILS, STUDIO_ADMIN_EMAILS) are changed there.</p>
<div class="table-wrap"><table id="allow-list"><thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Added by</th><th scope="col"></th></tr></thead>
<tbody>${view.entries.map((e) => entryRow(viewer, e, view.isConfigured(e.email)))}</tbody></table></div>
<form id="allow-add" method="post" action="/ui/admin/access">
${csrfField(viewer)}
<div><label for="access-email">Email</label><input id="access-email" name="email" type="email" required autocomplete="off"></div>
<div><label for="access-role">Role</label><select id="access-role" name="role"><option value="member" selected>member</option><option value="admin">admin</option></select></div>
<button type="submit">Allow</button>
</form>
<h2>Changes to the list</h2>
${
  view.audit.length
    ? html`<div class="table-wrap"><table id="access-audit"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
<tbody>${view.audit.map((a) => html`<tr><td>${a.at.replace('T', ' ').slice(0, 19)}</td><td>${a.actor}</td><td>${a.action}</td><td>${a.email}</td><td>${a.role ?? ''}</td></tr>`)}</tbody></table></div>`
    : html`<p class="muted">No changes yet.</p>`
}`;
}

function entryRow(viewer: Viewer, entry: AccessEntry, configured: boolean): Html {
  const other = entry.role === 'admin' ? 'member' : 'admin';
  // Configuration admins and oneself stay as they are; the configuration's people are not removed here.
  const fixedAdmin = configured && entry.role === 'admin' && entry.addedBy === 'configuration';
  const editable = entry.email !== viewer.email && !fixedAdmin;
  return html`<tr><td>${entry.email}</td><td>${entry.role}</td><td>${entry.addedBy}</td><td>${
    editable
      ? html`<form class="inline" method="post" action="/ui/admin/access">${csrfField(viewer)}<input type="hidden" name="email" value="${entry.email}"><input type="hidden" name="role" value="${other}"><button type="submit">Make ${other}</button></form>${
          configured
            ? ''
            : html`<form class="inline" method="post" action="/ui/admin/access/remove">${csrfField(viewer)}<input type="hidden" name="email" value="${entry.email}"><button type="submit">Remove</button></form>`
        }`
      : ''
  }</td></tr>`;
}
