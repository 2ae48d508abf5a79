// How SQL finds a stream's events. The events' (stream, version) index is keyed by a 16-byte key of
// the stream id, `idem_stream_key(stream_id)` (the first 16 bytes of its SHA-256, as a uuid; the
// migration that introduced it), not by the id: its entries are half the size (bench/RESULTS.md §7).
// A query uses the index only when it says the key; it says the id as well, so that two streams
// sharing a key (a 128-bit collision) are still told apart.

/** `column` is the stream `param` (both SQL expressions of text), through the index. */
export const streamIs = (column: string, param: string): string =>
  `idem_stream_key(${column}) = idem_stream_key(${param}::text) AND ${column} = ${param}::text`;

/** `column` is one of the streams of `param` (an SQL expression of text[]), through the index. */
export const streamIsAnyOf = (column: string, param: string): string =>
  `idem_stream_key(${column}) = ANY(ARRAY(SELECT idem_stream_key(s) FROM unnest(${param}::text[]) AS s)) AND ${column} = ANY(${param}::text[])`;
