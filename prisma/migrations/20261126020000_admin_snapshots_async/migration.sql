-- AlterTable
ALTER TABLE "commands" ADD COLUMN     "last_replayed_at" TIMESTAMPTZ(3),
ADD COLUMN     "replay_count" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "events" ADD COLUMN     "transaction_id" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateTable
CREATE TABLE "snapshots" (
    "stream_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "schema_version" INTEGER NOT NULL,
    "state" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "snapshots_pkey" PRIMARY KEY ("stream_id")
);

-- CreateTable
CREATE TABLE "projection_checkpoints" (
    "name" TEXT NOT NULL,
    "last_transaction_id" TEXT NOT NULL DEFAULT '0',
    "last_position" BIGINT NOT NULL DEFAULT 0,
    "events_processed" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),

    CONSTRAINT "projection_checkpoints_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "daily_account_totals" (
    "day" DATE NOT NULL,
    "account_id" UUID NOT NULL,
    "deposits_cents" BIGINT NOT NULL DEFAULT 0,
    "deposit_count" INTEGER NOT NULL DEFAULT 0,
    "withdrawals_cents" BIGINT NOT NULL DEFAULT 0,
    "withdrawal_count" INTEGER NOT NULL DEFAULT 0,
    "transfers_in_cents" BIGINT NOT NULL DEFAULT 0,
    "transfers_out_cents" BIGINT NOT NULL DEFAULT 0,
    "transfer_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "daily_account_totals_pkey" PRIMARY KEY ("day","account_id")
);

-- CreateIndex
CREATE INDEX "events_transaction_id_global_position_idx" ON "events"("transaction_id", "global_position");

-- Constraints Prisma's schema language cannot express.
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_version_check" CHECK ("version" >= 1);
ALTER TABLE "commands" ADD CONSTRAINT "commands_replay_count_check" CHECK ("replay_count" >= 0);
