/** The gallery, image pages, the image files and thumbnails, and deleting an image: a section mounted at /ui. */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { extensionForMime } from '../core/mime.js';
import type { DashboardEnv, DashboardOptions, DashboardSection } from './dashboardEnv.js';
import { page } from './layout.js';
import { galleryBody } from './pages/gallery.js';
import { imageBody } from './pages/imagePage.js';
import { imageExtras } from './studio/studioRoutes.js';
import { rightsOf } from './viewer.js';

const PAGE_SIZE = 24;

export function imageRoutes(options: DashboardOptions): DashboardSection {
  const app = new Hono<DashboardEnv>();
  app.get('/', async (c) => {
    const viewer = c.get('viewer');
    const studio = await options.studio();
    const search = (c.req.query('q') ?? '').trim().slice(0, 200);
    const cursor = c.req.query('cursor') || undefined;
    const images = await studio.list(rightsOf(viewer), { limit: PAGE_SIZE, cursor, search: search || undefined });
    const deleted = c.req.query('deleted');
    return c.html(
      page(viewer, {
        title: 'Gallery',
        current: 'gallery',
        body: galleryBody(viewer, images, { search, cursor }),
        notice: deleted ? { text: `Image ${deleted} was deleted.` } : undefined,
      }),
    );
  });

  app.get('/images/:id', async (c) => {
    const viewer = c.get('viewer');
    const studio = await options.studio();
    const rights = rightsOf(viewer);
    const image = await studio.get(c.req.param('id'), rights);
    const [parent, children] = await Promise.all([
      image.parentId ? studio.get(image.parentId, rights).catch(() => undefined) : undefined,
      studio.children(image.id, rights),
    ]);
    return c.html(
      page(viewer, {
        title: `Image ${image.id}`,
        current: 'gallery',
        body: html`${imageBody(viewer, image, { parent, children })}${await imageExtras(c, options, image)}`,
        script: true,
      }),
    );
  });

  app.get('/images/:id/file', async (c) => {
    const studio = await options.studio();
    const image = await studio.get(c.req.param('id'), rightsOf(c.get('viewer')));
    const data = await studio.readImage(image);
    const name = `${image.id}.${extensionForMime(image.mimeType)}`;
    return c.body(new Uint8Array(data), 200, {
      'Content-Type': image.mimeType,
      'Cache-Control': 'private, max-age=31536000, immutable',
      'Content-Disposition': `${c.req.query('download') ? 'attachment' : 'inline'}; filename="${name}"`,
    });
  });

  app.get('/thumb/:id', async (c) => {
    const studio = await options.studio();
    const image = await studio.get(c.req.param('id'), rightsOf(c.get('viewer')));
    return c.body(new Uint8Array(await studio.readThumbnail(image)), 200, {
      'Content-Type': 'image/webp',
      'Cache-Control': 'private, max-age=31536000, immutable',
    });
  });

  app.post('/images/:id/delete', async (c) => {
    const viewer = c.get('viewer');
    const id = c.req.param('id');
    if (c.get('form').confirm !== 'yes') {
      return c.html(
        page(viewer, {
          title: 'Delete image',
          current: 'gallery',
          body: html`<p><a href="/ui/images/${id}">Back to the image</a></p>`,
          notice: { text: 'Tick “Yes, delete this image for good” to confirm, then press Delete again.', error: true },
        }),
        400,
      );
    }
    const studio = await options.studio();
    const record = await studio.delete(id, rightsOf(viewer));
    return c.redirect(`/ui?deleted=${encodeURIComponent(record.id)}`, 303);
  });
  return app;
}
