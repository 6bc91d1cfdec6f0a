/**
 * Thought signatures. Real ones are opaque encrypted blobs; ours are base64 of
 * `nbemu1.<model>.<kind>.<content hash>.<mac>` so that the emulator can later check that a signature sent back in
 * the history was issued by this model for exactly this image or text (tampering or a swapped image → 400).
 * Deterministic: same model + same content → same signature.
 * @module
 */
import { createHmac } from 'node:crypto';
import { sha256 } from './hash.js';

const SECRET = 'nanobanana-studio gemini emulator';
const PREFIX = 'nbemu1';

/**
 * Google documents these placeholder values for histories whose signatures were lost (e.g. after switching
 * models); they skip validation instead of failing.
 */
const BYPASS = new Set(['skip_thought_signature_validator', 'context_engineering_is_the_way_to_go']);

export type SignedKind = 'image' | 'text';

function contentHash(kind: SignedKind, content: string): string {
  // Images are hashed on their decoded bytes so base64 formatting differences do not matter.
  const data = kind === 'image' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  return sha256(data).subarray(0, 18).toString('base64url');
}

function mac(payload: string): string {
  return createHmac('sha256', SECRET).update(payload).digest().subarray(0, 18).toString('base64url');
}

/** `content` is the base64 image data for images, the text for text parts. */
export function signPart(model: string, kind: SignedKind, content: string): string {
  const payload = `${PREFIX}.${model}.${kind}.${contentHash(kind, content)}`;
  return Buffer.from(`${payload}.${mac(payload)}`, 'utf8').toString('base64');
}

export type SignatureCheck = 'valid' | 'bypass' | 'corrupted' | 'wrong-content' | 'wrong-model';

export function verifyPart(signature: string, model: string, kind: SignedKind, content: string): SignatureCheck {
  if (BYPASS.has(signature)) return 'bypass';
  const decoded = Buffer.from(signature, 'base64').toString('utf8');
  const pieces = decoded.split('.');
  // The model id itself contains dots, so parse from both ends.
  if (pieces.length < 5 || pieces[0] !== PREFIX) return 'corrupted';
  const signatureMac = pieces[pieces.length - 1] ?? '';
  const payload = pieces.slice(0, -1).join('.');
  if (mac(payload) !== signatureMac) return 'corrupted';
  const signedKind = pieces[pieces.length - 3];
  const signedHash = pieces[pieces.length - 2];
  const signedModel = pieces.slice(1, -3).join('.');
  if (signedModel !== model) return 'wrong-model';
  if (signedKind !== kind || signedHash !== contentHash(kind, content)) return 'wrong-content';
  return 'valid';
}
