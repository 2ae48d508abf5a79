import { createHash } from 'node:crypto';

/** Canonical JSON: object keys sorted at every level, so equal payloads hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  // As JSON.stringify does: a Date has no own keys, so without this every Date would be written {}.
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** sha256 of the normalized request, so a reused key with a different request is detected. */
export function fingerprint(commandType: string, request: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ type: commandType, request }))
    .digest('hex');
}
