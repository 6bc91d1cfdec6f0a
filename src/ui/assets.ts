/**
 * The dashboard's stylesheet and its one tiny script (copy link), served as static files with a content
 * hash in their names, so they can be cached for good.
 * @module
 */
import { createHash } from 'node:crypto';
import { STUDIO_SCRIPT, STUDIO_STYLES } from './studio/studioAssets.js';
import { STYLES } from './styles.js';

const COPY_SCRIPT = `document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const url = new URL(button.getAttribute('data-copy'), location.href).toString();
  const status = document.getElementById(button.getAttribute('aria-controls') || '');
  try {
    await navigator.clipboard.writeText(url);
    if (status) status.textContent = 'Link copied.';
  } catch {
    if (status) status.textContent = 'Copy this link: ' + url;
  }
});
`;

interface Asset {
  path: string;
  body: string;
  type: string;
}

function asset(name: string, ext: string, body: string, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return { path: `/ui/assets/${name}.${hash}.${ext}`, body, type };
}

export const STYLESHEET = asset('studio', 'css', STYLES + STUDIO_STYLES, 'text/css; charset=utf-8');
export const COPY_JS = asset('copy', 'js', COPY_SCRIPT, 'text/javascript; charset=utf-8');
/** The Create page's drop zone and live progress (no-op elsewhere). */
export const STUDIO_JS = asset('create', 'js', STUDIO_SCRIPT, 'text/javascript; charset=utf-8');
export const ASSETS = new Map([STYLESHEET, COPY_JS, STUDIO_JS].map((a) => [a.path, a]));
