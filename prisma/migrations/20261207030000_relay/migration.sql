-- Where the JetStream relay (lib/streaming/relay.ts) is in the global log: the (transaction id,
-- position) of the last event JetStream acknowledged, written only after the acknowledgement. One
-- row per relay name; the relay holding the advisory lock is the only one that writes it.
CREATE TABLE "relay_positions" (
    "name" TEXT NOT NULL,
    "last_transaction_id" TEXT NOT NULL DEFAULT '0',
    "last_position" BIGINT NOT NULL DEFAULT 0,
    "events_published" BIGINT NOT NULL DEFAULT 0,
    "last_stream_sequence" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "relay_positions_pkey" PRIMARY KEY ("name")
);
