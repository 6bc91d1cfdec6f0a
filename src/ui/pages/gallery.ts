/** My gallery: thumbnails with prompt, date, model, size and cost; search by prompt; cursor paging. */

import { html } from 'hono/html';
import { formatUsd } from '../../core/budgetPeriods.js';
import { recordIsEmulated } from '../../core/emulatedRegistry.js';
import type { ImagePage } from '../../core/ports.js';
import { formatDate, type Html } from '../layout.js';
import { thumbSize } from '../thumbnails.js';
import type { Viewer } from '../viewer.js';

export function galleryBody(viewer: Viewer, images: ImagePage, query: { search: string; cursor?: string }): Html {
  const next = images.nextCursor
    ? `/ui?${new URLSearchParams({ ...(query.search ? { q: query.search } : {}), cursor: images.nextCursor })}`
    : undefined;
  const empty = query.search
    ? html`<p>No image’s prompt contains “${query.search}”. Try another word, or <a href="/ui">show all images</a>.</p>`
    : html`<p>No images yet. Ask your assistant to generate one (the <code>generate_image</code> tool), then come back here.</p>`;
  return html`<h1>${viewer.isAdmin && !viewer.local ? 'All images' : 'My images'}</h1>
<form class="search" method="get" action="/ui" role="search">
<label class="sr-only" for="q">Search by prompt</label>
<input id="q" name="q" type="search" value="${query.search}" placeholder="Search by prompt">
<button type="submit">Search</button>
</form>
${
  images.images.length === 0
    ? empty
    : html`<ul class="grid">${images.images.map(
        (image) => html`<li><a href="/ui/images/${image.id}">
<img src="/ui/thumb/${image.id}" alt="${image.prompt}" loading="lazy" decoding="async" ${thumbSize(image)}>
<div class="meta"><p class="prompt">${image.prompt}</p>
<span class="muted">${formatDate(image.createdAt)}<br>${image.modelAlias} · ${image.imageSize} · ${image.width}×${image.height} · ${formatUsd(image.costUsd)}</span>${recordIsEmulated(image) ? html` <span class="badge">emulated</span>` : ''}</div>
</a></li>`,
      )}</ul>`
}
<nav class="pager" aria-label="Pages">
${query.cursor ? html`<a class="button secondary" href="/ui${query.search ? `?q=${encodeURIComponent(query.search)}` : ''}">Newest images</a>` : ''}
${next ? html`<a class="button secondary" href="${next}" rel="next">Older images</a>` : ''}
</nav>`;
}
