/** One image: the picture, its facts, open / download / copy link / delete, and its lineage. */

import { html } from 'hono/html';
import { formatUsd } from '../../core/budgetPeriods.js';
import { recordIsEmulated } from '../../core/emulatedRegistry.js';
import type { ImageRecord } from '../../core/ports.js';
import { csrfField, formatDate, type Html } from '../layout.js';
import { thumbSize } from '../thumbnails.js';
import type { Viewer } from '../viewer.js';

export function imageBody(
  viewer: Viewer,
  image: ImageRecord,
  lineage: { parent?: ImageRecord; children: ImageRecord[] },
): Html {
  const file = `/ui/images/${image.id}/file`;
  const thumbLink = (r: ImageRecord) =>
    html`<li><a href="/ui/images/${r.id}"><img src="/ui/thumb/${r.id}" alt="${r.prompt}" loading="lazy" ${thumbSize(r)}><div class="meta"><p class="prompt">${r.prompt}</p></div></a></li>`;
  return html`<p><a href="/ui">← Back to the gallery</a></p>
<h1>Image ${image.id}</h1>
<div class="image-page">
<div><img class="full" src="${file}" alt="${image.prompt}" width="${image.width}" height="${image.height}"></div>
<div>
<dl class="facts">
<dt>Prompt</dt><dd>${image.prompt}</dd>
${image.negativePrompt ? html`<dt>Avoid</dt><dd>${image.negativePrompt}</dd>` : ''}
<dt>Made</dt><dd>${formatDate(image.createdAt)} (${image.kind === 'edit' ? 'edit' : 'new image'})</dd>
<dt>Model</dt><dd>${image.modelAlias} (${image.modelId})</dd>
<dt>Size</dt><dd>${image.imageSize}, ${image.width}×${image.height}, ${image.aspectRatio}</dd>
<dt>Cost</dt><dd>${formatUsd(image.costUsd)}${recordIsEmulated(image) ? html` <span class="badge">emulated</span> a synthetic image from the offline emulator, free` : ''}</dd>
${viewer.isAdmin && image.ownerId !== viewer.ownerId ? html`<dt>Owner</dt><dd>${image.ownerId}</dd>` : ''}
</dl>
<div class="actions">
<a class="button" href="${file}">Open full image</a>
<a class="button secondary" href="${file}?download=1" download>Download</a>
<button class="secondary" type="button" data-copy="/ui/images/${image.id}" aria-controls="copy-status">Copy link</button>
</div>
<p id="copy-status" class="muted" role="status" aria-live="polite"></p>
<form method="post" action="/ui/images/${image.id}/delete">
${csrfField(viewer)}
<p><label class="check"><input type="checkbox" name="confirm" value="yes" required> Yes, delete this image for good</label></p>
<button class="danger" type="submit">Delete image</button>
</form>
</div>
</div>
<h2>Lineage</h2>
${lineage.parent ? html`<p>Edited from:</p><ul class="grid">${thumbLink(lineage.parent)}</ul>` : image.parentId ? html`<p class="muted">Edited from an image that was deleted.</p>` : html`<p class="muted">An original (not an edit of another image).</p>`}
${lineage.children.length ? html`<p>Edits of this image:</p><ul class="grid">${lineage.children.map(thumbLink)}</ul>` : html`<p class="muted">No edits of this image yet. Ask your assistant to edit it by its id.</p>`}`;
}
