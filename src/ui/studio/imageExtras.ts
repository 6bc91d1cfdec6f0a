/** On an image page: edit it into a new version, its lineage as a strip, and comparing two versions. */
import { html } from 'hono/html';
import type { ImageRecord } from '../../core/ports.js';
import { csrfField, type Html } from '../layout.js';
import type { Viewer } from '../viewer.js';

export interface Lineage {
  /** Oldest first, ending with the image itself, then its edits. */
  versions: ImageRecord[];
  currentId: string;
}

export function editSection(
  viewer: Viewer,
  image: ImageRecord,
  palettes: Array<{ name: string; scope: string }>,
  lineage: Lineage,
): Html {
  const others = lineage.versions.filter((v) => v.id !== image.id);
  const made = JSON.parse(image.options) as {
    style?: string;
    colourAdjust?: { palette: string[]; changedPixels: number; totalPixels: number };
  };
  const colour = made.colourAdjust;
  return html`${
    made.style || colour
      ? html`<dl class="facts studio-facts">${made.style ? html`<dt>Style</dt><dd>${made.style}</dd>` : ''}${
          colour
            ? html`<dt>Brand palette</dt><dd>${colour.palette.join(' ')}: ${String(Math.round((colour.changedPixels / Math.max(1, colour.totalPixels)) * 1000) / 10)}% of pixels recoloured</dd>`
            : ''
        }</dl>`
      : ''
  }<section aria-labelledby="edit-h"><h2 id="edit-h">Edit into a new version</h2>
<form method="post" action="/ui/images/${image.id}/edit">
${csrfField(viewer)}
<div class="field"><label for="instruction">What to change</label><textarea id="instruction" name="instruction" rows="2" required maxlength="8192"></textarea></div>
<div class="options">
<div class="field"><label for="edit-palette">Brand palette</label><select id="edit-palette" name="palette"><option value="">None</option>${palettes.map(
    (p) => html`<option value="${p.name}">${p.name}${p.scope === 'team' ? ' (team)' : ''}</option>`,
  )}</select></div>
<div class="field"><label class="check"><input type="checkbox" name="enhance"> Enhance</label></div>
</div>
<button type="submit">Make new version</button>
</form></section>
<section aria-labelledby="versions-h"><h2 id="versions-h">Versions</h2>
<ol class="strip" aria-label="Versions, oldest first">${lineage.versions.map(
    (v, i) =>
      html`<li><a href="/ui/images/${v.id}"${v.id === lineage.currentId ? html` aria-current="page"` : ''}><img src="/ui/thumb/${v.id}" alt="Version ${i + 1}: ${v.kind === 'edit' ? v.prompt : 'original'}" width="96" height="96" loading="lazy">v${i + 1}</a></li>`,
  )}</ol>
${
  others.length > 0
    ? html`<form method="get" action="/ui/compare" class="compare-form">
<input type="hidden" name="a" value="${image.id}">
<label for="compare-b">Compare with</label>
<select id="compare-b" name="b">${others.map((v) => html`<option value="${v.id}">${v.id} (${v.kind === 'edit' ? v.prompt.slice(0, 40) : 'original'})</option>`)}</select>
<button class="secondary" type="submit">Compare side by side</button>
</form>`
    : ''
}</section>`;
}

export function compareBody(a: ImageRecord, b: ImageRecord): Html {
  const side = (r: ImageRecord, label: string) =>
    html`<figure><img src="/ui/images/${r.id}/file" alt="${label}: ${r.prompt}" width="${r.width}" height="${r.height}"><figcaption><a href="/ui/images/${r.id}">${label}: ${r.id}</a><br>${r.prompt}</figcaption></figure>`;
  return html`<p><a href="/ui/images/${a.id}">← Back to the image</a></p>
<h1>Compare versions</h1>
<div class="compare">${side(a, 'Left')}${side(b, 'Right')}</div>`;
}
