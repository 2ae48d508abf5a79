-- Instances remember a verified API key or session for a short lease (lib/auth/verdict-cache.ts).
-- Whatever decides a verdict — a key revoked, disabled, narrowed or expired sooner; a session
-- deleted (sign-out, ban) or shortened; a customer disabled, renamed or given another role — sends
-- NOTIFY idem_auth from the transaction that changes it, delivered at commit to every instance's
-- LISTEN connection, which then forgets what it remembered. Bookkeeping writes (a key's last
-- request, a session's idle refresh moving its expiry later) notify nobody.
CREATE FUNCTION idem_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('idem_auth', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_auth_changed AFTER UPDATE ON "api_keys" FOR EACH ROW
  WHEN (OLD."enabled" IS DISTINCT FROM NEW."enabled"
    OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at"
    OR OLD."permissions" IS DISTINCT FROM NEW."permissions"
    OR OLD."key" IS DISTINCT FROM NEW."key"
    OR OLD."reference_id" IS DISTINCT FROM NEW."reference_id")
  EXECUTE FUNCTION idem_auth_changed();
CREATE TRIGGER api_keys_auth_deleted AFTER DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION idem_auth_changed();
CREATE TRIGGER api_keys_auth_truncated AFTER TRUNCATE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION idem_auth_changed();

CREATE TRIGGER sessions_auth_changed AFTER UPDATE ON "sessions" FOR EACH ROW
  WHEN (OLD."token" IS DISTINCT FROM NEW."token"
    OR OLD."user_id" IS DISTINCT FROM NEW."user_id"
    OR NEW."expires_at" < OLD."expires_at")
  EXECUTE FUNCTION idem_auth_changed();
CREATE TRIGGER sessions_auth_deleted AFTER DELETE ON "sessions" FOR EACH ROW EXECUTE FUNCTION idem_auth_changed();
CREATE TRIGGER sessions_auth_truncated AFTER TRUNCATE ON "sessions" FOR EACH STATEMENT EXECUTE FUNCTION idem_auth_changed();

CREATE TRIGGER users_auth_changed AFTER UPDATE ON "users" FOR EACH ROW
  WHEN (OLD."banned" IS DISTINCT FROM NEW."banned"
    OR OLD."ban_expires" IS DISTINCT FROM NEW."ban_expires"
    OR OLD."role" IS DISTINCT FROM NEW."role"
    OR OLD."name" IS DISTINCT FROM NEW."name"
    OR OLD."email" IS DISTINCT FROM NEW."email")
  EXECUTE FUNCTION idem_auth_changed();
CREATE TRIGGER users_auth_deleted AFTER DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION idem_auth_changed();
CREATE TRIGGER users_auth_truncated AFTER TRUNCATE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION idem_auth_changed();

-- Storage per command (bench/RESULTS.md, "Storage per command"): index entries the console can do
-- without. Its type filter walks the primary key newest first and keeps the matching events (every
-- type is a large share of the log, and a page stops at 51 rows); its time filters and the
-- dashboard's last-24-hours figures read a BRIN range of the log, which is written in time order
-- (a few pages per million events instead of an entry per event); the command log pages newest
-- first on created_at alone (ties broken by an incremental sort of the few rows sharing a
-- millisecond) instead of a (created_at, command_id) entry per command. Plans: bench/RESULTS.md.
DROP INDEX "events_type_global_position_idx";
DROP INDEX "events_created_at_idx";
CREATE INDEX "events_created_at_idx" ON "events" USING BRIN ("created_at");
DROP INDEX "commands_created_at_command_id_idx";
CREATE INDEX "commands_created_at_idx" ON "commands"("created_at" DESC);
