/** Pages that only say something: sign-in refused, signed out, errors. */
import { html } from 'hono/html';
import { type Html, page } from '../layout.js';
import type { Viewer } from '../viewer.js';

export function messagePage(viewer: Viewer | undefined, title: string, text: string, next?: Html): Html {
  return page(viewer, { title, current: 'none', body: html`<h1>${title}</h1><p>${text}</p>${next ?? ''}` });
}
