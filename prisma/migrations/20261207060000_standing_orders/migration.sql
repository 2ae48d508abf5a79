-- Standing orders (lib/standing-orders): the inline projections of the `standingorder-<id>` streams,
-- written by the engine in the same statement as the orders' events. `standing_orders` holds one row
-- per order (the scheduler finds due payments in it); `standing_order_occurrences` one row per
-- payment that has started. The app role gets its privileges from the schema's default privileges.
CREATE TABLE "standing_orders" (
    "standing_order_id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "from_account_id" UUID NOT NULL,
    "to_account_id" UUID NOT NULL,
    "to_account_number" VARCHAR(12) NOT NULL,
    "amount_cents" BIGINT NOT NULL,
    "every" TEXT NOT NULL,
    "first_payment_on" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "next_due_on" DATE,
    "next_attempt" INTEGER,
    "next_attempt_on" DATE,
    "running_due_on" DATE,
    "running_attempt" INTEGER,
    "running_command_id" VARCHAR(320),
    "last_due_on" DATE,
    "last_outcome" TEXT,
    "version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "standing_orders_pkey" PRIMARY KEY ("standing_order_id")
);

CREATE TABLE "standing_order_occurrences" (
    "standing_order_id" UUID NOT NULL,
    "due_on" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "transfer_command_id" VARCHAR(320),
    "reason" TEXT,
    "retry_on" DATE,
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "standing_order_occurrences_pkey" PRIMARY KEY ("standing_order_id","due_on")
);

CREATE INDEX "standing_orders_from_account_id_created_at_idx" ON "standing_orders"("from_account_id", "created_at");
CREATE INDEX "standing_orders_next_attempt_on_idx" ON "standing_orders"("next_attempt_on");
CREATE INDEX "standing_orders_running_due_on_idx" ON "standing_orders"("running_due_on");
