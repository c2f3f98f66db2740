// A map or list as a mapping key: the yaml package turns it into a string key with a process warning,
// where kubectl refuses it (JSON, and so Kubernetes, has only scalar keys). Every YAML reader asks here.

import { isCollection, visit, type Document } from 'yaml';

export const COLLECTION_KEY_MESSAGE = 'a mapping key must be a string, number or boolean, not a map or list (kubectl: invalid map key)';

/** Line and column (1-based) of the first map or list used as a mapping key in a parsed document of `text`. */
export function collectionKeyAt(doc: Document, text: string): { line: number; col: number } | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isCollection(pair.key)) return undefined;
      at = pair.key.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (at === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  return { line, col: at - lineStart + 1 };
}
