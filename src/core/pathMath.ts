/** Pure path comparisons shared by the allowed-folders rule. */
import path from 'node:path';

export function isInside(child: string, parent: string, caseInsensitive = false): boolean {
  const norm = (p: string) => (caseInsensitive ? p.toLowerCase() : p);
  const rel = path.relative(norm(parent), norm(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
