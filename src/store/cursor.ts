import { InvalidInputError } from '../core/errors.js';

/** A position in the (created_at, id) descending order of a listing. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

/** Opaque to callers: base64url of `created_at|id`. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // ISO timestamps never contain `|`, so the first one separates the two parts whatever the id holds.
  const separator = text.indexOf('|');
  const createdAt = text.slice(0, separator);
  const id = text.slice(separator + 1);
  if (separator <= 0 || id === '' || Number.isNaN(Date.parse(createdAt))) {
    throw new InvalidInputError(
      'The cursor is not valid. Pass the nextCursor of the previous page unchanged, or omit it to start again.',
    );
  }
  return { createdAt, id };
}
