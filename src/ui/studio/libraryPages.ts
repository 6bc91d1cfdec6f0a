/** The Library pages: brand palettes, styles learned from references, and prompt templates. */
import { html } from 'hono/html';
import type { LibraryRow } from '../../core/library.js';
import type { PaletteValue } from '../../core/studioLibrary.js';
import type { StyleValue } from '../../core/styles.js';
import { promptNameOf, type TemplateValue, templateParameters } from '../../core/templates.js';
import { csrfField, type Html } from '../layout.js';
import type { Viewer } from '../viewer.js';

type Item<T> = LibraryRow & { value: T };

export function libraryNav(current: 'palettes' | 'styles' | 'templates'): Html {
  const link = (key: string, label: string) =>
    html`<li><a href="/ui/studio/${key}"${current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="Library" class="subnav"><ul>${link('palettes', 'Palettes')}${link('styles', 'Styles')}${link('templates', 'Templates')}</ul></nav>`;
}

/** Colour chips as SVG (fill is an attribute, not an inline style, so the CSP allows it). */
export function swatches(colours: string[]): Html {
  return html`<ul class="swatches">${colours.map(
    (hex) =>
      html`<li><svg width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="${hex}"></rect></svg> ${hex}</li>`,
  )}</ul>`;
}

function scopeField(viewer: Viewer, id: string): Html {
  return viewer.isAdmin
    ? html`<div class="field"><label class="check"><input type="checkbox" id="${id}" name="scope" value="team"> For the whole team (admins only)</label></div>`
    : html``;
}

function deleteForm(viewer: Viewer, kind: string, item: LibraryRow): Html {
  const mine = item.scope === 'person' || viewer.isAdmin;
  return mine
    ? html`<form class="inline" method="post" action="/ui/studio/${kind}/${item.id}/delete">${csrfField(viewer)}<button class="danger" type="submit" aria-label="Delete ${item.name}">Delete</button></form>`
    : html``;
}

export function palettesBody(viewer: Viewer, items: Array<Item<PaletteValue>>, form: Record<string, string>): Html {
  return html`<h1>Brand palettes</h1>${libraryNav('palettes')}
<p class="muted">After an image is made, hues near each colour are moved onto it (lightness kept). Choose a palette on Create or when editing, or pass <code>palette</code> to generate_image / edit_image.</p>
${items.length === 0 ? html`<p>No palettes yet.</p>` : ''}
${items.map(
  (p) =>
    html`<section class="library-item" aria-labelledby="pal-${p.id}"><h2 id="pal-${p.id}">${p.name}${p.scope === 'team' ? ' (team)' : ''}</h2>${swatches(p.value.colours)}${deleteForm(viewer, 'palettes', p)}</section>`,
)}
<h2>Save a palette</h2>
<form method="post" action="/ui/studio/palettes">
${csrfField(viewer)}
<div class="field"><label for="pal-name">Name</label><input id="pal-name" name="name" required maxlength="64" value="${form.name ?? ''}"></div>
<div class="field"><label for="pal-colours">Colours</label><input id="pal-colours" name="colours" required aria-describedby="pal-help" value="${form.colours ?? ''}">
<p id="pal-help" class="muted">Hex colours separated by commas or spaces, e.g. #E4572E, #29335C, #F3A712.</p></div>
${scopeField(viewer, 'pal-team')}
<button type="submit">Save palette</button>
</form>`;
}

export function stylesBody(viewer: Viewer, items: Array<Item<StyleValue>>, form: Record<string, string>): Html {
  return html`<h1>Styles</h1>${libraryNav('styles')}
<p class="muted">A style is a written guide (palette, motifs, register, composition, what to avoid). The prompt is rewritten to follow it; the guide is never sent to the image model as is.</p>
${items.map(
  (
    s,
  ) => html`<section class="library-item" aria-labelledby="sty-${s.id}"><h2 id="sty-${s.id}">${s.name}${s.scope === 'team' ? ' (team)' : ''}</h2>
${s.value.palette.length ? swatches(s.value.palette) : ''}
<form method="post" action="/ui/studio/styles">${csrfField(viewer)}<input type="hidden" name="id" value="${s.id}">
<div class="field"><label for="guide-${s.id}">Guide of ${s.name}</label><textarea id="guide-${s.id}" name="guide" rows="7" maxlength="8000">${s.value.guide}</textarea></div>
<input type="hidden" name="name" value="${s.name}">
<button type="submit">Save changes</button></form>
${deleteForm(viewer, 'styles', s)}</section>`,
)}
<h2>Learn a style from references</h2>
<form method="post" action="/ui/studio/styles/learn" enctype="multipart/form-data">
${csrfField(viewer)}
<div class="field"><label for="sty-name">Name</label><input id="sty-name" name="name" required maxlength="64" value="${form.name ?? ''}"></div>
<div class="dropzone" data-dropzone>
<label for="sty-files">3 to 10 reference images (or drop them here)</label>
<input id="sty-files" name="files[]" type="file" accept="image/png,image/jpeg,image/webp" multiple required>
<p class="muted" data-drop-status role="status" aria-live="polite"></p>
</div>
<div class="field"><label for="sty-note">Anything to stress (optional)</label><input id="sty-note" name="note" maxlength="500" value="${form.note ?? ''}"></div>
${scopeField(viewer, 'sty-team')}
<button type="submit">Learn style</button>
</form>`;
}

export function templatesBody(viewer: Viewer, items: Array<Item<TemplateValue>>, form: Record<string, string>): Html {
  return html`<h1>Prompt templates</h1>${libraryNav('templates')}
<p class="muted">Your templates appear in your MCP client as prompts named <code>my_…</code>, next to the built-in ones. Write parameters as <code>{{name}}</code>, or <code>{{name=default|other|choices}}</code>.</p>
${items.map(
  (
    t,
  ) => html`<section class="library-item" aria-labelledby="tpl-${t.id}"><h2 id="tpl-${t.id}">${t.name}${t.scope === 'team' ? ' (team)' : ''} <span class="muted">(${promptNameOf(t.name)})</span></h2>
${t.value.description ? html`<p>${t.value.description}</p>` : ''}
<pre>${t.value.text}</pre>
<p class="muted">Parameters: ${
    templateParameters(t.value.text)
      .map((p) => (p.required ? p.name : `${p.name} (default ${p.default})`))
      .join(', ') || 'none'
  }</p>
${deleteForm(viewer, 'templates', t)}</section>`,
)}
<h2>Save a template</h2>
<form method="post" action="/ui/studio/templates">
${csrfField(viewer)}
<div class="field"><label for="tpl-name">Name</label><input id="tpl-name" name="name" required maxlength="64" value="${form.name ?? ''}"></div>
<div class="field"><label for="tpl-desc">Description</label><input id="tpl-desc" name="description" maxlength="300" value="${form.description ?? ''}"></div>
<div class="field"><label for="tpl-text">Template</label><textarea id="tpl-text" name="text" rows="4" required maxlength="4000">${form.text ?? ''}</textarea></div>
<div class="field"><label for="tpl-tool">For</label><select id="tpl-tool" name="tool"><option value="generate_image">New images (generate_image)</option><option value="edit_image"${form.tool === 'edit_image' ? html` selected` : ''}>Edits (edit_image)</option></select></div>
${scopeField(viewer, 'tpl-team')}
<button type="submit">Save template</button>
</form>`;
}
