import { describe, expect, it } from 'vitest';
import { streamPageSql } from '@/lib/admin/log-queries';
import { BACKLOG, STREAM_END, VERSION_POSITION } from '@/lib/live/event-stream';
import { ACCOUNT_STREAMS_EVENTS } from '@/lib/projections/rebuild';
import { LONG, longStreamDatabase, PLAN_MODES } from '@/test/long-stream';

// The events' (stream, version) index is keyed by the stream id's key (idem_stream_key,
// lib/event-store/stream-key.ts): a reader that compared the stream id alone would scan the whole
// table. The readers of a stream outside the engine (its own: lib/event-store/load.int.test.ts).

const { client, plan } = longStreamDatabase();

describe('every reader of a stream enters the stream index', () => {
  const readers: [string, string, string, string][] = [
    ['the live backlog', BACKLOG, 'text, bigint, int', `'${LONG}', 29990, 500`],
    ['the live stream end', STREAM_END, 'text', `'${LONG}'`],
    ['the live stream at a version', VERSION_POSITION, 'text, bigint', `'${LONG}', 29990`],
    ['the rebuild of some streams', ACCOUNT_STREAMS_EVENTS, 'text[]', `'{account-1,account-2}'`],
  ];
  for (const mode of PLAN_MODES)
    for (const [what, statement, types, values] of readers)
      it(`${what} (${mode})`, async () => {
        const text = await plan(statement, types, values, mode);
        expect(text).toContain('events_stream_id_version_key');
        expect(text).not.toMatch(/Seq Scan on events/);
      });

  it('the console’s events of a stream, and they are the stream’s alone', async () => {
    const { text, values } = streamPageSql({ streams: ['counter-7'] }, { lt: 10n ** 9n }, 'desc', 51);
    const { rows } = await client().query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (COSTS OFF) ${text}`, values });
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_stream_id_version_key');
    const found = await client().query<{ p: string }>({ text, values });
    const expected = await client().query<{ p: string }>(
      `SELECT global_position::text AS p FROM events WHERE stream_id = 'counter-7' ORDER BY global_position DESC LIMIT 51`,
    );
    expect(found.rows.length).toBeGreaterThan(0);
    expect(found.rows).toEqual(expected.rows);
  });
});
