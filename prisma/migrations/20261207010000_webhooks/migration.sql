-- Webhooks (lib/webhooks, docs/webhooks.md): customers' endpoints, the deliveries the dispatcher
-- fans out from the global log, where it has read the log up to, and the answers to the endpoint
-- API's Idempotency-Keys. The application role gets rows of all four through the default privileges.

-- A customer's endpoint. Secrets are stored encrypted (AES-256-GCM, key from configuration); after a
-- rotation the previous secret keeps signing too until previous_secret_until. An empty event_types
-- means every type.
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "event_types" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_until" TIMESTAMPTZ(3),
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "webhook_endpoints_customer_id_idx" ON "webhook_endpoints"("customer_id");

-- One event (or test event) for one endpoint. The id orders them: for one endpoint and one account,
-- only the oldest pending delivery may be attempted. A claim is a lease (lease_until, lease_token).
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "account_id" UUID,
    "event_at" TIMESTAMPTZ(3) NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "lease_token" UUID,
    "leased_by" TEXT,
    "last_status_code" INTEGER,
    "last_response" TEXT,
    "last_error" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "webhook_deliveries_endpoint_id_id_idx" ON "webhook_deliveries"("endpoint_id", "id");
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id")
  REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Where the fan-out has read the global log up to (lib/projections/global-log.ts). It starts at this
-- migration: no endpoint existed before it, so nothing earlier has anyone to go to.
CREATE TABLE "webhook_checkpoint" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last_transaction_id" TEXT NOT NULL DEFAULT '0',
    "last_position" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_checkpoint_pkey" PRIMARY KEY ("id")
);

INSERT INTO "webhook_checkpoint" ("id", "last_transaction_id", "last_position")
  VALUES (1, pg_current_xact_id()::text, 0);

-- The endpoint API's Idempotency-Keys: the first answer, replayed to a repeat (encrypted: it may hold
-- a signing secret).
CREATE TABLE "webhook_api_requests" (
    "customer_id" TEXT NOT NULL,
    "idempotency_key" VARCHAR(255) NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "response" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_api_requests_pkey" PRIMARY KEY ("customer_id", "idempotency_key")
);
