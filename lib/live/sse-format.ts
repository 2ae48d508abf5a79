// The Server-Sent Events wire format (WHATWG HTML, "server-sent events"), for the event stream.
// Pure, so the browser-facing pieces and the route share it and a unit test pins it.

/** Sent first: how long a browser waits before reconnecting (with Last-Event-ID) after a drop. */
export const SSE_RETRY = 'retry: 2000\n\n';

/** A comment line: ignored by clients, keeps proxies and the connection awake (the heartbeat). */
export const SSE_COMMENT = ': keep-alive\n\n';

/** One event. `data` must not contain line breaks (JSON.stringify never writes them). */
export function formatSseEvent(id: string, event: string, data: string): string {
  if (/[\r\n]/.test(id + event + data)) throw new Error('an SSE field cannot contain a line break');
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/**
 * Last-Event-ID as a log position: digits only (at most 19, a bigint). Absent or empty means
 * "from now on"; anything else is a client error.
 */
export function parseLastEventId(value: string | null): { ok: true; after: bigint | null } | { ok: false } {
  if (value === null || value.trim() === '') return { ok: true, after: null };
  const text = value.trim();
  if (!/^\d{1,19}$/.test(text)) return { ok: false };
  const after = BigInt(text);
  return after <= 9_223_372_036_854_775_807n ? { ok: true, after } : { ok: false };
}
