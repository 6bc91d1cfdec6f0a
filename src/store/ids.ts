import { randomBytes } from 'node:crypto';

// Crockford's base32, lower case: URL-safe, case-insensitive, and without i, l, o, u, which are easily
// misread when an id is copied by hand.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * 128 bits from the OS CSPRNG as 26 base32 characters: unguessable, so an id can be shared in a link
 * without exposing its neighbours. Not time-sortable; listings sort by created_at.
 */
export function newId(prefix = ''): string {
  const bytes = randomBytes(16);
  let out = prefix;
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  // 128 = 25 * 5 + 3: the last 3 bits, padded with zeros.
  return out + ALPHABET[(buffer << (5 - bits)) & 31];
}

/** `img_` followed by 26 base32 characters. */
export function newImageId(): string {
  return newId('img_');
}

/** The format {@link newImageId} produces. */
export const IMAGE_ID_PATTERN = /^img_[0-9a-hjkmnp-tv-z]{26}$/;

/** `upl_` followed by 26 base32 characters: an uploaded file. */
export function newUploadId(): string {
  return newId('upl_');
}
