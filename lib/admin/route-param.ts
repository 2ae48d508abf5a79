import { textProblem } from '@/lib/text/plain-text';

/** A page's `searchParams`, as Next hands them over. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a query parameter, trimmed; undefined when absent or blank. */
export const queryParam = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/**
 * Next 16 hands dynamic route segments over still percent-encoded (`a%2Fb` for `a/b`; seen with
 * `next start`), so ids with reserved characters (command ids are any visible ASCII) are decoded
 * here, once. Null for malformed encodings (a 404). e2e/admin.spec.ts covers a command id full of
 * reserved characters, so a change in Next's behaviour shows up as a failing test.
 */
export function decodeSegment(raw: string): string | null {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // No id holds control or invisible characters; PostgreSQL cannot even compare text with a NUL.
  return textProblem(text) ? null : text;
}
