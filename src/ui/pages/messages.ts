/** Pages that only say something: sign-in refused, signed out, errors. */
import { html } from 'hono/html';
import { type Html, page } from '../layout.js';
import type { Viewer } from '../viewer.js';

export function messagePage(viewer: Viewer | undefined, title: string, text: string, next?: Html): Html {
  return page(viewer, { title, current: 'none', body: html`<h1>${title}</h1><p>${text}</p>${next ?? ''}` });
}

/** Why better-auth sent the person back (`?error=` on the error callback), and what to do. */
export function signInRefusal(error: string): string {
  const e = error.toLowerCase();
  if (e.includes('email_not_allowed') || e.includes('unable_to_create') || e.includes('not allowed'))
    return 'This email may not use this studio. Ask its owner to add it to the allow-list, or sign in with another account.';
  if (e.includes('email_not_verified'))
    return 'This account’s email is not verified by the sign-in provider. Verify it there, then sign in again.';
  return `The sign-in did not complete (${error}). Try again; if it keeps failing, ask the studio’s owner to look at the server log.`;
}
