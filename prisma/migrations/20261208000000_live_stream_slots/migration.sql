-- The cap on open event streams per customer, counted for the whole deployment (lib/live/stream-slots.ts,
-- lib/live/slot-store.ts): one row per customer and instance that holds streams of theirs, `streams`
-- the instance's count. An instance refreshes `seen_at` of its rows while it holds streams; rows not
-- refreshed for the liveness window (an instance that crashed) no longer count and are deleted by the
-- next instance that counts that customer or sweeps. A row at 0 is deleted, and an instance that shuts
-- down deletes its rows. Opening a stream takes a transaction-scoped advisory lock per customer, so no
-- lock is shared between customers.
CREATE TABLE "live_stream_slots" (
    "customer_id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "streams" INTEGER NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "live_stream_slots_pkey" PRIMARY KEY ("customer_id","instance_id"),
    CONSTRAINT "live_stream_slots_streams_check" CHECK ("streams" >= 0)
);
