-- The events' (stream, version) index on a 16-byte key of the stream id instead of the id itself
-- (docs/decisions/017-stream-key-index.md; bench/RESULTS.md §7, storage per command). The index
-- guards every append (one version per stream: a concurrent writer's event fails on it) and finds
-- a stream's events for every load; its entries held the stream id as text (`account-<uuid>`, 45
-- bytes), 64 bytes each, in pages about two thirds full because every stream inserts in its own
-- place: about 100 bytes per event. On the key they are 32 bytes. The column keeps the id.
--
-- idem_stream_key: the first 16 bytes of SHA-256 over the stream id's UTF-8 bytes, as a uuid (as
-- idem_command_key for command ids). Two streams share a key only by a 128-bit collision, and then
-- the worst that happens is a false conflict on the same version, retried like any other; readers
-- compare the stream id as well (lib/event-store/stream-key.ts streamIs).
CREATE FUNCTION idem_stream_key(stream_id text) RETURNS uuid
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT encode(substring(sha256(convert_to(stream_id, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid $$;

CREATE UNIQUE INDEX "events_stream_key_version_key" ON "events" (idem_stream_key("stream_id"), "version");
DROP INDEX "events_stream_id_version_key";
-- The same name as before: a write conflict is recognised by it (lib/event-store/outcomes.ts).
ALTER INDEX "events_stream_key_version_key" RENAME TO "events_stream_id_version_key";
