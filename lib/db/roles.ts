// The two PostgreSQL roles Idem uses: the OWNER runs migrations (DDL) and owns the tables; the
// APPLICATION role only reads and writes rows. A request that goes wrong (an injection, a server-side
// request forgery) then cannot create or drop tables, read files or run programs (`COPY … TO PROGRAM`).
// Not server-only: the starters (scripts/, the embedded server, tests) use it.
import type pg from 'pg';
import { withClient } from './with-client';

/** The application's role on the embedded server. */
export const APP_ROLE = 'idem_app';

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * What the application role needs in one database, run by the owner (docs/security.md):
 * rows of every table and the sequences' values, now and for what later migrations create; no
 * CREATE on the schema (PostgreSQL 15+ already denies it to PUBLIC; older versions do not), no
 * TRUNCATE, no temporary tables.
 */
export function appRoleGrants(role: string, database: string): string[] {
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
  ];
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
