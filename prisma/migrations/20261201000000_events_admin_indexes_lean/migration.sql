-- Every append maintains every index on "events"; two of them serve only the admin console.
--
-- The time filter: created_at grows with global_position (rows are appended in time order), so a
-- BRIN index (one summary per 128 pages) finds a time range as well as a btree entry per event did.
DROP INDEX "events_created_at_idx";
CREATE INDEX "events_created_at_idx" ON "events" USING BRIN ("created_at");

-- The type filter pages the log newest first: events_pkey read backwards, keeping rows of that
-- type, serves it (a page of 50 reads about 50 / share-of-that-type rows, whatever the log's size).
DROP INDEX "events_type_global_position_idx";
