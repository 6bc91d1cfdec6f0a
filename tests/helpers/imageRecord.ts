/** A stored image's row for tests that need one: a 1K image of `local`, nothing billed; `overrides` set the rest. */
import type { ImageRecord } from '../../src/core/ports.js';

export function imageRecord(overrides: Partial<ImageRecord> & Pick<ImageRecord, 'id'>): ImageRecord {
  return {
    ownerId: 'local',
    parentId: null,
    kind: 'generate',
    prompt: 'a test image',
    negativePrompt: null,
    modelId: 'gemini-nano-banana-2.1',
    modelAlias: 'nano-banana-2',
    imageSize: '1K',
    aspectRatio: '1:1',
    width: 1024,
    height: 1024,
    mimeType: 'image/jpeg',
    bytes: 1,
    blobKey: `images/2026/12/${overrides.id}.jpg`,
    promptTokens: 0,
    imageTokens: 0,
    thoughtsTokens: 0,
    totalTokens: 0,
    costUsd: 0,
    createdAt: new Date().toISOString(),
    history: null,
    options: '{}',
    ...overrides,
  };
}
