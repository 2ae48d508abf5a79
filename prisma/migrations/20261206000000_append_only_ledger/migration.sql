-- The ledger is append-only for the application: no role but the owner may UPDATE or DELETE events
-- or commands, except a command's replay counter (replay_count, last_replayed_at: counted, never an
-- event). Until now the app role had UPDATE and DELETE on every table (default privileges). Pruning
-- rejected commands runs as its own role, idem_pruner (lib/db/roles.ts asPruner). The role names are
-- not fixed (a deployment names its own app role): every grantee other than the owner loses them.
DO $$
DECLARE
  grantee_name text;
BEGIN
  FOR grantee_name IN
    SELECT DISTINCT grantee FROM information_schema.role_table_grants
     WHERE table_schema = 'public' AND table_name IN ('events', 'commands') AND privilege_type IN ('UPDATE', 'DELETE')
       AND grantee NOT IN (current_user, 'PUBLIC')
  LOOP
    EXECUTE format('REVOKE UPDATE, DELETE ON "events", "commands" FROM %I', grantee_name);
    EXECUTE format('GRANT UPDATE ("replay_count", "last_replayed_at") ON "commands" TO %I', grantee_name);
  END LOOP;
END $$;
