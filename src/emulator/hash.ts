/**
 * Small deterministic helpers: everything the emulator invents (colours, token counts, ids, sample values) is
 * derived from hashes of the request so that the same request always gets the same answer.
 * @module
 */
import { createHash } from 'node:crypto';

export function sha256(data: string | Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** A 32-bit unsigned integer derived from the text. */
export function hash32(text: string): number {
  return sha256(text).readUInt32BE(0);
}

/** mulberry32: a tiny seeded PRNG, good enough for noise and layout. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rough Gemini-style token count for text: about 1.3 tokens per word. */
export function textTokens(text: string): number {
  const words = text.split(/\s+/).filter((w) => w.length > 0).length;
  return Math.ceil(words * 1.3);
}
