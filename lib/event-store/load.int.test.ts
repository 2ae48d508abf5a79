import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '@/test/db';
import { LOAD_BATCH, LOAD_COMMAND, LOAD_STREAMS } from './load';

// The load must stay an index range read however long a stream grows (bench/RESULTS.md: a
// sequential scan made one command 54 ms at 100,000 events). PostgreSQL plans a prepared statement
// either for the values at hand (custom plan) or once for any values (generic plan); both must
// enter the (stream_id, version) index, on a table that one long stream fills.

const LONG = 'counter-long';
let db: { url: string; drop: () => Promise<void> };
let client: pg.Client;

beforeAll(async () => {
  db = await freshDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                      VALUES (idem_command_key('seed'), 'seed', 'Seed', ARRAY['${LONG}'], 'f', 'accepted', '{}', now())`);
  // And 20,000 other commands: the command look-up must be one in the primary key, not a scan.
  await client.query(`INSERT INTO commands (command_key, command_id, type, stream_ids, fingerprint, status, outcome, created_at)
                      SELECT idem_command_key('other-' || g), 'other-' || g, 'Seed', ARRAY['counter-1'], 'f', 'rejected', '{}', now()
                        FROM generate_series(1, 20000) AS g`);
  // 30,000 events in the long stream, and a few short streams beside it.
  await client.query(`INSERT INTO events (stream_id, version, type, data, metadata, command_key, created_at)
                      SELECT CASE WHEN g <= 30000 THEN '${LONG}' ELSE 'counter-' || (g % 50) END,
                             CASE WHEN g <= 30000 THEN g ELSE g / 50 END,
                             'Added', '{"by": 1}', '{"schemaVersion": 1}', idem_command_key('seed'), now()
                        FROM generate_series(1, 30500) AS g`);
  await client.query(
    `INSERT INTO snapshots (stream_id, version, schema_version, state, created_at) VALUES ('${LONG}', 29995, 1, '{"value": 29995}', now())`,
  );
  await client.query('ANALYZE events');
  await client.query('ANALYZE commands');
  await client.query('ANALYZE snapshots');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

async function plan(
  statement: string,
  types: string,
  values: string,
  mode: 'force_custom_plan' | 'force_generic_plan',
): Promise<string> {
  const name = `p_${Math.random().toString(36).slice(2, 8)}`;
  await client.query(`PREPARE ${name}(${types}) AS ${statement}`);
  await client.query(`SET plan_cache_mode = ${mode}`);
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) EXECUTE ${name}(${values})`);
  await client.query(`DEALLOCATE ${name}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('the load statements on a table that one long stream fills', () => {
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
    it(`one stream, one command (${mode}): an index range read of the events after the snapshot`, async () => {
      const text = await plan(LOAD_COMMAND, 'text, text, int', `'x', '${LONG}', 1`, mode);
      expect(text).toContain('events_stream_id_version_key');
      expect(text).not.toMatch(/Seq Scan on (events|commands)/);
      expect(text).toContain('commands_pkey');
    });

    it(`one stream, a batch of commands (${mode}): the same`, async () => {
      const text = await plan(LOAD_BATCH, 'text[], text, int', `'{x,y}', '${LONG}', 1`, mode);
      expect(text).toContain('events_stream_id_version_key');
      expect(text).not.toMatch(/Seq Scan on (events|commands)/);
      expect(text).toContain('commands_pkey');
    });

    it(`several streams (${mode}): the same, per stream`, async () => {
      const text = await plan(LOAD_STREAMS, 'text[], text[], int', `'{x}', '{${LONG},counter-7}', 1`, mode);
      expect(text).toContain('events_stream_id_version_key');
      expect(text).not.toMatch(/Seq Scan on (events|commands)/);
      expect(text).toContain('commands_pkey');
    });
  }

  it('reads only the events after the snapshot', async () => {
    const { rows } = await client.query<{ events: { version: number }[] }>({
      text: LOAD_COMMAND,
      values: ['x', LONG, 1],
    });
    expect(rows[0]!.events.map((e) => e.version)).toEqual([29996, 29997, 29998, 29999, 30000]);
  });
});
