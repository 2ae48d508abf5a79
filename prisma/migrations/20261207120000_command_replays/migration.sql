-- A command's replays counted in a table of their own (docs/decisions/019-command-log-append-only.md;
-- bench/RESULTS.md §7, storage per command). The counter lived on the command's row: 4 bytes and a
-- null bitmap in every row (8 more bytes of header, the last replay's time being null in nearly
-- every row), and the one exception to the command log being append-only for the application
-- (migration 20261206000000_append_only_ledger). Replays are rare: a row here per command that was
-- ever replayed. The command log is now written once and never updated.
CREATE TABLE "command_replays" (
    "command_key" UUID NOT NULL,
    "replay_count" INTEGER NOT NULL,
    "last_replayed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "command_replays_pkey" PRIMARY KEY ("command_key"),
    CONSTRAINT "command_replays_replay_count_check" CHECK ("replay_count" > 0),
    -- A pruned command (a rejection without events, lib/event-store/retention.ts) takes its count along;
    -- the count follows its command's key, as the events do.
    CONSTRAINT "command_replays_command_key_fkey" FOREIGN KEY ("command_key") REFERENCES "commands"("command_key") ON DELETE CASCADE ON UPDATE CASCADE
);

INSERT INTO "command_replays" ("command_key", "replay_count", "last_replayed_at")
SELECT "command_key", "replay_count", coalesce("last_replayed_at", "created_at") FROM "commands" WHERE "replay_count" > 0;

ALTER TABLE "commands" DROP COLUMN "replay_count", DROP COLUMN "last_replayed_at";
