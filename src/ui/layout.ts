/**
 * The page shell every dashboard screen shares: skip link, header with navigation and who is signed in,
 * and the main region. Everything interpolated goes through hono/html, which escapes it.
 * @module
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { COPY_JS, STUDIO_JS, STYLESHEET } from './assets.js';
import { CSRF_FIELD } from './csrf.js';
import type { Viewer } from './viewer.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
export type Section = 'gallery' | 'create' | 'library' | 'costs' | 'settings' | 'admin' | 'none';

export interface PageOptions {
  title: string;
  current: Section;
  body: Html;
  /** A message at the top, e.g. what just happened. */
  notice?: { text: string; error?: boolean };
  /** Loads the copy-link script. */
  script?: boolean;
}

export function page(viewer: Viewer | undefined, options: PageOptions): Html {
  const link = (section: Section, href: string, label: string) =>
    html`<li><a href="${href}"${options.current === section ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Nano Banana Studio</title>
<link rel="stylesheet" href="${STYLESHEET.path}">
${options.script ? html`<script src="${COPY_JS.path}" defer></script>` : ''}
<script src="${STUDIO_JS.path}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/ui">Nano Banana Studio</a>
${
  viewer
    ? html`<nav aria-label="Dashboard"><ul>
${link('gallery', '/ui', 'Gallery')}${link('create', '/ui/studio', 'Create')}${link('library', '/ui/studio/palettes', 'Library')}${link('costs', '/ui/costs', 'Costs')}${link('settings', '/ui/settings', 'Settings')}${viewer.isAdmin ? link('admin', '/ui/admin', 'Admin') : ''}
</ul></nav>
<div class="who">${viewer.local ? 'Local studio (no sign-in)' : viewer.email}${
        viewer.local
          ? ''
          : html`<form class="inline" method="post" action="/ui/sign-out">${csrfField(viewer)}<button class="secondary" type="submit">Sign out</button></form>`
      }</div>`
    : ''
}
</header>
<main id="main">
${options.notice ? html`<p class="notice${options.notice.error ? ' error' : ''}" role="status">${options.notice.text}</p>` : ''}
${options.body}
</main>
</body>
</html>`;
}

export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrf}">`;
}

export function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
