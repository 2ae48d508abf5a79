-- Customers own accounts; idempotency keys are scoped per customer.
--
-- Command ids of new commands are "<customer id>:<Idempotency-Key>" (the key is up to 255
-- characters), so the columns that hold them grow; existing rows keep their ids and form the
-- namespace of commands made before customers existed. Widening a varchar rewrites nothing.
ALTER TABLE "commands" ALTER COLUMN "command_id" TYPE VARCHAR(320);
ALTER TABLE "events" ALTER COLUMN "command_id" TYPE VARCHAR(320);
ALTER TABLE "account_transactions" ALTER COLUMN "command_id" TYPE VARCHAR(320);

-- The balance projection names each account's owner and number (both come from AccountOpened v2;
-- accounts opened before that are upcast to no owner and a number derived from their id, the same
-- derivation as lib/domain/account-number.ts legacyAccountNumber).
ALTER TABLE "account_balances" ADD COLUMN "customer_id" TEXT, ADD COLUMN "account_number" VARCHAR(12);

CREATE FUNCTION pg_temp.idem_luhn(body TEXT) RETURNS INT LANGUAGE sql IMMUTABLE AS $$
  SELECT ((10 - sum(CASE WHEN i % 2 = 0 THEN (CASE WHEN d * 2 > 9 THEN d * 2 - 9 ELSE d * 2 END) ELSE d END) % 10) % 10)::int
    FROM (SELECT substr(reverse(body), i + 1, 1)::int AS d, i FROM generate_series(0, length(body) - 1) AS i) digits
$$;

UPDATE "account_balances" b SET "account_number" = legacy.body || pg_temp.idem_luhn(legacy.body)
  FROM (SELECT "account_id",
               '9' || lpad(((('x' || lpad(substr(replace("account_id"::text, '-', ''), 1, 13), 16, '0'))::bit(64)::bigint) % 10000000000)::text, 10, '0') AS body
          FROM "account_balances") legacy
 WHERE legacy."account_id" = b."account_id";

ALTER TABLE "account_balances" ALTER COLUMN "account_number" SET NOT NULL;
CREATE UNIQUE INDEX "account_balances_account_number_key" ON "account_balances"("account_number");
CREATE INDEX "account_balances_customer_id_opened_at_idx" ON "account_balances"("customer_id", "opened_at" DESC);

-- Bodies of new account numbers (11 digits, 1…; the check digit is added by the app).
CREATE SEQUENCE "account_numbers" AS BIGINT START WITH 10000000000 MINVALUE 10000000000 MAXVALUE 89999999999 NO CYCLE;
