import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freshDatabase } from '@/test/db';

// A database that one long stream fills, for the plan tests of the statements that read streams
// (lib/event-store/load.int.test.ts, test/stream-readers.int.test.ts). PostgreSQL plans a prepared
// statement either for the values at hand (custom plan) or once for any values (generic plan); on
// this table both must enter the (stream, version) index, never scan (bench/RESULTS.md: a sequential
// scan made one command 54 ms at 100,000 events).

export const LONG = 'counter-long';
export type PlanMode = 'force_custom_plan' | 'force_generic_plan';
export const PLAN_MODES: readonly PlanMode[] = ['force_custom_plan', 'force_generic_plan'];

/** The seeded database for this file's tests: a client on it, and `plan` of a statement there. */
export function longStreamDatabase() {
  let db: { url: string; drop: () => Promise<void> };
  const client = { current: null as unknown as pg.Client };
  beforeAll(async () => {
    db = await freshDatabase();
    const c = new pg.Client({ connectionString: db.url });
    client.current = c;
    await c.connect();
    await c.query(`INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                   VALUES (idem_command_key('seed'), 'seed', 'Seed', ARRAY['${LONG}'], 'f', 'accepted', '{}', now())`);
    // And 20,000 other commands: the command look-up must be one in the primary key, not a scan.
    await c.query(`INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                   SELECT idem_command_key('other-' || g), 'other-' || g, 'Seed', ARRAY['counter-1'], 'f', 'rejected', '{}', now()
                     FROM generate_series(1, 20000) AS g`);
    // 30,000 events in the long stream, and a few short streams beside it.
    await c.query(`INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
                   SELECT CASE WHEN g <= 30000 THEN '${LONG}' ELSE 'counter-' || (g % 50) END,
                          CASE WHEN g <= 30000 THEN g ELSE g / 50 END,
                          'Added', '{"by": 1}', '{"schemaVersion": 1}', idem_command_key('seed'), now()
                     FROM generate_series(1, 30500) AS g`);
    await c.query(
      `INSERT INTO snapshots (stream_id, version, schema_version, state, created_at) VALUES ('${LONG}', 29995, 1, '{"value": 29995}', now())`,
    );
    await c.query('ANALYZE events');
    await c.query('ANALYZE commands');
    await c.query('ANALYZE snapshots');
  });
  afterAll(async () => {
    await client.current?.end();
    await db?.drop();
  });

  /** The plan of `statement` prepared with parameter `types`, executed with `values` (SQL literals). */
  async function plan(statement: string, types: string, values: string, mode: PlanMode): Promise<string> {
    const c = client.current;
    const name = `p_${Math.random().toString(36).slice(2, 8)}`;
    await c.query(`PREPARE ${name}(${types}) AS ${statement}`);
    await c.query(`SET plan_cache_mode = ${mode}`);
    const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) EXECUTE ${name}(${values})`);
    await c.query(`DEALLOCATE ${name}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  return { client: () => client.current, plan };
}
