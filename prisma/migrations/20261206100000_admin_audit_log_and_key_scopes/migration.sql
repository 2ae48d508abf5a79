-- What admins did, and who did it (lib/admin/audit-log.ts): every change the console makes (disable
-- or enable a customer, rebuild a projection) writes one row naming the acting admin, in the
-- console under /admin/audit. Rows are only ever added: a trigger refuses UPDATE and DELETE, so the
-- application role cannot rewrite what an admin did (the owner can still drop the trigger).
CREATE TABLE "admin_audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "admin_id" TEXT NOT NULL,
    "admin_email" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "admin_audit_log_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "admin_audit_log_at_idx" ON "admin_audit_log"("at");

CREATE FUNCTION admin_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'admin_audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER admin_audit_log_append_only BEFORE UPDATE OR DELETE ON "admin_audit_log"
  FOR EACH ROW EXECUTE FUNCTION admin_audit_log_append_only();

-- API keys now carry scopes (better-auth's key permissions, lib/auth/policy.ts): keys made before
-- this change keep what they could do, read and write.
UPDATE "api_keys" SET "permissions" = '{"ledger":["read","write"]}' WHERE "permissions" IS NULL;
