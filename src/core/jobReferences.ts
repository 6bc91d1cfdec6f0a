/**
 * A planned job's reference, made ready to send when the job runs: an upload's current Gemini copy or bytes,
 * or the kept bytes, always in a type Gemini accepts and labelled by what the bytes are.
 * @module
 */
import { InvalidInputError } from './errors.js';
import { toGeminiInput } from './geminiInput.js';
import type { ReferenceImage } from './ports.js';
import type { ImageJobDeps, JobReference } from './studioTypes.js';

export async function resolveReference(
  deps: Pick<ImageJobDeps, 'uploads' | 'blobs'>,
  ref: JobReference,
  ownerId: string,
): Promise<ReferenceImage> {
  if ('fileUri' in ref) return { kind: 'file', uri: ref.fileUri, mimeType: ref.mimeType };
  let image: ReferenceImage;
  if ('uploadId' in ref) {
    if (!deps.uploads) throw new InvalidInputError('This server does not keep uploaded files.');
    image = await deps.uploads.referenceFor(ref.uploadId, ref.ownerId ?? ownerId);
  } else {
    image = { kind: 'inline', data: await deps.blobs.get(ref.key), mimeType: ref.mimeType };
  }
  if (image.kind !== 'inline') return image;
  // The label always matches the bytes; a file kept before conversion existed is converted now.
  const accepted = await toGeminiInput(image.data);
  return { kind: 'inline', data: accepted.data, mimeType: accepted.mimeType };
}
