-- Live updates and payment references.
--
-- 1. A transfer's payment reference, in the history of both sides (the inline projection
--    account_transactions; the events carry it as data.reference). Null for every other movement
--    and for transfers without one.
ALTER TABLE "account_transactions" ADD COLUMN "reference" TEXT;

-- 2. What each customer has seen of each of their accounts: incoming money after `seen_version` is
--    marked "New" in the history, and counted on the accounts list (lib/live/seen.ts). Viewing the
--    account page moves it forward, never back.
CREATE TABLE "account_seen" (
    "customer_id" TEXT NOT NULL,
    "account_id" UUID NOT NULL,
    "seen_version" INTEGER NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_seen_pkey" PRIMARY KEY ("customer_id", "account_id")
);

-- Everything that arrived before this change counts as seen: nobody opens the app to a pile of
-- "New" marks on old money.
INSERT INTO "account_seen" ("customer_id", "account_id", "seen_version")
SELECT "customer_id", "account_id", "version" FROM "account_balances" WHERE "customer_id" IS NOT NULL;

-- 3. A wake-up call for the live feed (lib/live): after every statement that appends events, one
--    NOTIFY on the channel idem_events, delivered when (and only if) the transaction commits. The
--    payload is empty: listeners read the log themselves, gap-safe, so a lost or merged notification
--    loses nothing (PostgreSQL folds identical notifications of one transaction into one).
CREATE FUNCTION idem_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('idem_events', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER events_notify AFTER INSERT ON "events"
  FOR EACH STATEMENT EXECUTE FUNCTION idem_events_notify();
