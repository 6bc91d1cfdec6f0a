/**
 * The image behind an `/i/{id}.{ext}` link. A link from a tool result is signed (`exp`, `sig`: see
 * core/imageLinks; with sign-in on the server always signs them), and a valid signature is the proof that
 * the studio gave that link to the person who made or may see the image: it is served whoever's it is.
 * Without a valid signature, only a signed-in person who may see the image gets it (their dashboard
 * session or a bearer token); anyone else is refused, and someone else's image is "not found".
 * @module
 */
import type { Context } from 'hono';
import { NotFoundError } from '../core/errors.js';
import { checkImageLink } from '../core/imageLinks.js';
import type { Studio } from '../core/studio.js';
import { verifiedOrUndefined } from './tokenCheck.js';

const LINK_REFUSALS = {
  missing: 'This image link is not signed. Ask the studio for a fresh link (image_info).',
  invalid: 'This image link has a wrong signature. Ask the studio for a fresh link (image_info).',
  expired: 'This image link has expired. Ask the studio for a fresh link (image_info).',
} as const;

const LOCAL_OWNER = { ownerId: 'local' };
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Who is asking, when sign-in is on: from a bearer token, or the dashboard's session cookie. */
export interface ImageViewers {
  verifyAccessToken(token: string): Promise<{ extra?: Record<string, unknown> }>;
  sessionUser?(request: Request): Promise<{ userId: string; isAdmin: boolean } | undefined>;
}

export function imageRoute(options: {
  studio: () => Promise<Studio>;
  linkSecret?: string;
  /** Present when sign-in is on. */
  viewers?: Promise<ImageViewers>;
}) {
  return async (c: Context) => {
    const match = /^(img_[A-Za-z0-9]+)\.([a-z0-9]+)$/.exec(c.req.param('file') ?? '');
    if (!match?.[1]) throw new NotFoundError('No such image.');
    const id = match[1];
    let who: { ownerId: string; isAdmin?: boolean } = LOCAL_OWNER;
    let cacheControl = IMMUTABLE;
    const check = options.linkSecret
      ? checkImageLink(id, c.req.query('exp'), c.req.query('sig'), options.linkSecret)
      : undefined;
    if (check === 'ok') {
      // Signed by this studio for whoever it showed the image to: whose image it is does not matter.
      who = { ownerId: '', isAdmin: true };
    } else if (options.viewers) {
      const viewer = await viewerOf(c.req.raw, await options.viewers);
      if (!viewer) {
        const reason = check && check !== 'missing' ? LINK_REFUSALS[check] : 'This image link is not signed.';
        return c.json(
          { error: `link_${check ?? 'missing'}`, message: `${reason} Or sign in to the studio to see your images.` },
          403,
        );
      }
      who = viewer;
      // Served because of who asked: no shared cache may keep it for others.
      cacheControl = 'private, max-age=3600';
    } else if (check) {
      return c.json({ error: `link_${check}`, message: LINK_REFUSALS[check] }, 403);
    }
    const studio = await options.studio();
    const record = await studio.get(id, who);
    const data = await studio.readImage(record);
    const etag = `"${record.id}"`;
    const headers = {
      'Content-Type': record.mimeType,
      'Cache-Control': cacheControl,
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
      ...(cacheControl === IMMUTABLE ? {} : { Vary: 'Authorization, Cookie' }),
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(data), 200, headers);
  };
}

async function viewerOf(request: Request, viewers: ImageViewers) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer) {
    const info = await verifiedOrUndefined(() => viewers.verifyAccessToken(bearer));
    const extra = info?.extra as { userId?: string; isAdmin?: boolean } | undefined;
    return extra?.userId ? { ownerId: extra.userId, isAdmin: extra.isAdmin === true } : undefined;
  }
  const session = await viewers.sessionUser?.(request);
  return session ? { ownerId: session.userId, isAdmin: session.isAdmin } : undefined;
}
