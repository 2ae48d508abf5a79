// The two PostgreSQL roles Idem uses: the OWNER runs migrations (DDL) and owns the tables; the
// APPLICATION role only reads and writes rows. A request that goes wrong (an injection, a server-side
// request forgery) then cannot create or drop tables, read files or run programs (`COPY … TO PROGRAM`).
// Not server-only: the starters (scripts/, the embedded server, tests) use it.
import type pg from 'pg';
import { withClient } from './with-client';

/** The application's role on the embedded server. */
export const APP_ROLE = 'idem_app';
/** The retention job's role (`npm run prune`): deletes from the prunable tables only. */
const PRUNER_ROLE = 'idem_pruner';

/**
 * The ledger is append-only for the application: no UPDATE or DELETE of events or commands (replays
 * are counted in command_replays, migration 20261207120000_command_replays). Only the pruner deletes, and only rejected
 * commands without events (lib/event-store/retention.ts). A table that does not exist yet (grants run
 * before the first migration) is skipped; migration 20261206000000_append_only_ledger does the same.
 */
const appendOnly = (r: string) => `DO $$ BEGIN
  IF to_regclass('public.events') IS NOT NULL THEN REVOKE UPDATE, DELETE ON events FROM ${r}; END IF;
  IF to_regclass('public.commands') IS NOT NULL THEN
    REVOKE UPDATE, DELETE ON commands FROM ${r};
  END IF;
END $$`;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * What the application role needs in one database, run by the owner (docs/security.md):
 * rows of every table and the sequences' values, now and for what later migrations create; no
 * CREATE on the schema (PostgreSQL 15+ already denies it to PUBLIC; older versions do not), no
 * TRUNCATE, no temporary tables.
 */
function appRoleGrants(role: string, database: string): string[] {
  const r = ident(role);
  return [
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    `REVOKE TEMPORARY ON DATABASE ${ident(database)} FROM PUBLIC`,
    `GRANT CONNECT ON DATABASE ${ident(database)} TO ${r}`,
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    // Tables and sequences the owner (the role running this) creates later: migrations.
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${r}`,
    appendOnly(r),
  ];
}

/** What the pruner may do: read what it must check, delete rows of the prunable tables, nothing else. */
function prunerRoleGrants(role: string, database: string): string[] {
  const r = ident(role);
  return [
    `GRANT CONNECT ON DATABASE ${ident(database)} TO ${r}`,
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, DELETE ON commands, api_rate_limits, rate_limits TO ${r}`,
    `GRANT SELECT ON events TO ${r}`,
  ];
}

/**
 * Runs `run` as the pruner on a connection of the owner (the owner creates the role, NOLOGIN, and
 * becomes it with SET ROLE): whatever the job does is checked against the pruner's privileges alone.
 */
export async function asPruner<T>(client: pg.Client, run: () => Promise<T>, role = PRUNER_ROLE): Promise<T> {
  const r = ident(role);
  try {
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (found.rowCount === 0)
      await client.query(`CREATE ROLE ${r} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
    const { rows } = await client.query<{ db: string; superuser: boolean }>(
      `SELECT current_database() AS db, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
    );
    for (const statement of prunerRoleGrants(role, rows[0]!.db)) await client.query(statement);
    if (!rows[0]!.superuser) await client.query(`GRANT ${r} TO current_user`);
    await client.query(`SET ROLE ${r}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    throw new Error(
      `Pruning runs as the role ${role}, which only the database owner can create and become: set IDEM_MIGRATION_DATABASE_URL to the owner's connection. (${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    return await run();
  } finally {
    await client.query('RESET ROLE');
  }
}

/** Creates the application role, or resets it to LOGIN with `password` and no other attribute (cluster-wide). */
export async function ensureAppRole(ownerUrl: string, role: string, password: string): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`;
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    await client.query(`${found.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${ident(role)} WITH ${attributes}`);
  });
}

/** Applies appRoleGrants on the database of `ownerDatabaseUrl` (idempotent). */
export async function grantAppRole(ownerDatabaseUrl: string, role: string): Promise<void> {
  await withClient(ownerDatabaseUrl, async (client: pg.Client) => {
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    for (const statement of appRoleGrants(role, rows[0]!.db)) await client.query(statement);
  });
}
