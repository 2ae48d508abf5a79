-- An event's schema version in a column of its own (2 bytes) instead of `{"schemaVersion": n}` in
-- its metadata (37 bytes): the metadata column now holds only what neither this column, the row nor
-- its command's row says, and is NULL when that is nothing (nearly always; lib/event-store/types.ts
-- storedMetadataOf). Rows written before keep their metadata as it is and have no schema_version:
-- readers take the version from the metadata then (the log is never rewritten).
ALTER TABLE "events" ADD COLUMN "schema_version" SMALLINT;
ALTER TABLE "events" ALTER COLUMN "metadata" DROP NOT NULL;
ALTER TABLE "events" ADD CONSTRAINT "events_schema_version_check" CHECK ("schema_version" >= 1);
