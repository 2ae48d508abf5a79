// The admin console's filters as the statements they run (lib/admin/log-queries.ts, dashboard.ts),
// EXPLAIN ANALYZE'd on the database a benchmark just filled: which index each one uses now that
// the storage migration dropped or thinned some (bench/RESULTS.md shows the plans).
import pg from 'pg';
import { streamIsAnyOf } from '../../lib/event-store/storage';

export type Plan = { filter: string; sql: string; plan: string };

export async function adminPlans(url: string): Promise<Plan[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
    const sample = (
      await client.query<{ stream_id: string; command_id: string; at: string }>(
        `SELECT stream_id, (SELECT c.command_id FROM commands c WHERE c.command_key = events.command_key) AS command_id,
                created_at::text AS at
           FROM events ORDER BY global_position DESC OFFSET 100 LIMIT 1`,
      )
    ).rows[0];
    if (!sample) return [];
    const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const statements: [string, string][] = [
      ['events, newest first', `SELECT * FROM events ORDER BY global_position DESC LIMIT 51`],
      ['events by type', `SELECT * FROM events WHERE type = 'AccountOpened' ORDER BY global_position DESC LIMIT 51`],
      [
        'events by type: the count (capped)',
        `SELECT count(*) FROM (SELECT 1 FROM events WHERE type = 'AccountOpened' LIMIT 10001) t`,
      ],
      [
        'events in a time range',
        `SELECT * FROM events WHERE created_at >= ${literal(sample.at)}::timestamptz - interval '1 second' AND created_at <= ${literal(sample.at)} ORDER BY global_position DESC LIMIT 51`,
      ],
      [
        'events of an account',
        `SELECT global_position FROM events WHERE ${streamIsAnyOf('stream_id', `ARRAY[${literal(sample.stream_id)}]`)} ORDER BY global_position DESC LIMIT 51`,
      ],
      [
        'events of a command',
        `SELECT * FROM events WHERE command_key = idem_command_key(${literal(sample.command_id)}) ORDER BY global_position`,
      ],
      [
        'a command by its id',
        `SELECT * FROM commands WHERE command_key = idem_command_key(${literal(sample.command_id)})`,
      ],
      ['commands, newest first', `SELECT * FROM commands ORDER BY created_at DESC, command_id DESC LIMIT 51`],
      [
        'commands by status and type',
        `SELECT * FROM commands WHERE status = 'accepted' AND type = 'WithdrawMoney' ORDER BY created_at DESC, command_id DESC LIMIT 51`,
      ],
      [
        'commands in a time range',
        `SELECT * FROM commands WHERE created_at >= ${literal(sample.at)}::timestamptz - interval '1 second' AND created_at <= ${literal(sample.at)} ORDER BY created_at DESC, command_id DESC LIMIT 51`,
      ],
      [
        'dashboard: money moved in the last 24 h',
        `SELECT type, count(*)::int, coalesce(sum((data->>'amountCents')::bigint), 0) FROM events WHERE created_at > now() - interval '24 hours' AND created_at <= now() AND type = ANY('{MoneyDeposited,MoneyWithdrawn}') GROUP BY type`,
      ],
    ];
    const plans: Plan[] = [];
    for (const [filter, sql] of statements) {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`,
      );
      plans.push({ filter, sql, plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
    }
    return plans;
  } finally {
    await client.end();
  }
}
