/**
 * Image links. `presigned`: a direct, time-limited link into the bucket (S3). `proxied`: `/i/{id}.{ext}` on
 * this server, which, when a link secret is set, carries `?exp=<unix seconds>&sig=<HMAC-SHA256 of
 * "id|exp", base64url>` and is checked by the `/i/` route. The bytes behind a link never change; only the
 * link expires.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ImageRecord } from './ports.js';

export type ImageLinkMode = 'presigned' | 'proxied';

export interface ImageLinkOptions {
  mode: ImageLinkMode;
  ttlSeconds: number;
  /** HMAC key of proxied links; without it a proxied link is the bare `/i/` path. */
  secret?: string;
  /** Base URL of the HTTP server (`/i/` links); undefined over stdio, where proxied links are not offered. */
  publicUrl: () => string | undefined;
  /** Presigns a blob key (presigned mode). */
  presign?: (key: string, ttlSeconds: number) => Promise<string | undefined>;
  /** The current time (tests pass their own). */
  now?: () => Date;
}

/**
 * The link key when sign-in is on and no STUDIO_LINK_SECRET is set: derived from the sign-in secret, so
 * every instance signs and checks the same links, and `/i/` links work for the people they are given to.
 */
export function linkSecretFromAuthSecret(authSecret: string): string {
  return createHmac('sha256', authSecret).update('nanobanana-studio /i/ links').digest('base64url');
}

export function signImageLink(id: string, exp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${id}|${exp}`).digest('base64url');
}

/** Builds the link of a stored image, or `undefined` when this server offers none. */
export function createImageLinks(options: ImageLinkOptions): (record: ImageRecord) => Promise<string | undefined> {
  const now = options.now ?? (() => new Date());
  return async (record) => {
    if (options.mode === 'presigned' && options.presign) {
      return options.presign(record.blobKey, options.ttlSeconds);
    }
    const base = options.publicUrl();
    if (!base) return undefined;
    const path = `${base}/i/${record.id}.${record.blobKey.split('.').pop()}`;
    if (!options.secret) return path;
    const exp = Math.floor(now().getTime() / 1000) + options.ttlSeconds;
    return `${path}?exp=${exp}&sig=${signImageLink(record.id, exp, options.secret)}`;
  };
}

export type LinkCheck = 'ok' | 'missing' | 'invalid' | 'expired';

/** Checks a proxied link's `exp` and `sig` (constant-time); the signature is checked before the expiry. */
export function checkImageLink(
  id: string,
  exp: string | undefined,
  sig: string | undefined,
  secret: string,
  now: Date = new Date(),
): LinkCheck {
  if (!exp || !sig) return 'missing';
  if (!/^\d{1,12}$/.test(exp)) return 'invalid';
  const expected = Buffer.from(signImageLink(id, Number(exp), secret));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  if (Number(exp) * 1000 <= now.getTime()) return 'expired';
  return 'ok';
}
