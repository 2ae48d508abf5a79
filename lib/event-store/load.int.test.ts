import { describe, expect, it } from 'vitest';
import { LONG, longStreamDatabase, PLAN_MODES } from '@/test/long-stream';
import { LOAD_BATCH, LOAD_COMMAND, LOAD_STREAMS, READ_STREAM, READ_STREAM_AFTER } from './load';

// The load must stay an index range read however long a stream grows (bench/RESULTS.md: a
// sequential scan made one command 54 ms at 100,000 events). PostgreSQL plans a prepared statement
// either for the values at hand (custom plan) or once for any values (generic plan); both must
// enter the (stream_id, version) index, on a table that one long stream fills.

const { client, plan } = longStreamDatabase();

describe('the load statements on a table that one long stream fills', () => {
  for (const mode of PLAN_MODES) {
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
    const { rows } = await client().query<{ events: { version: number }[] }>({
      text: LOAD_COMMAND,
      values: ['x', LONG, 1],
    });
    expect(rows[0]!.events.map((e) => e.version)).toEqual([29996, 29997, 29998, 29999, 30000]);
  });
});

// The index is keyed by the stream id's key (idem_stream_key, lib/event-store/stream-key.ts): a
// reader that compared the stream id alone would scan the whole table (test/stream-readers.int.test.ts
// checks the readers outside the engine).
describe('the engine’s other readers of a stream enter the stream index', () => {
  for (const mode of PLAN_MODES) {
    it(`a stream (readStream, ${mode})`, async () => {
      const text = await plan(READ_STREAM, 'text', `'${LONG}'`, mode);
      expect(text).toContain('events_stream_id_version_key');
      expect(text).not.toMatch(/Seq Scan on events/);
    });
    it(`a stream after a version (readStreamAfter, ${mode})`, async () => {
      const text = await plan(READ_STREAM_AFTER, 'text, int, int', `'${LONG}', 29990, 100`, mode);
      expect(text).toContain('events_stream_id_version_key');
      expect(text).not.toMatch(/Seq Scan on events/);
    });
  }
});
