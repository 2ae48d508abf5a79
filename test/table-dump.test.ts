// The every-table comparison behind "bad input changes nothing", on a fake database: the request
// counters (api_rate_limits) and the API keys' bookkeeping are compared unless a test says why not,
// and even then their rows are.
import { describe, expect, it } from 'vitest';
import { API_KEY_BOOKKEEPING, dumpTables, type RunQuery } from './table-dump';

type Tables = Record<string, Record<string, unknown>[]>;

/** Answers dumpTables' two queries from `tables`: the column list, and one table's rows as text. */
function fakeDatabase(tables: Tables): RunQuery {
  return (async (sql: string) => {
    if (sql.includes('information_schema')) {
      return Object.entries(tables).flatMap(([table, rows]) =>
        Object.keys(rows[0]!).map((column) => ({ table, column })),
      );
    }
    const [, list, table] = /SELECT (.*) FROM "(\w+)"\) r/.exec(sql)!;
    const columns = list!.split(', ').map((c) => c.replaceAll('"', ''));
    const lines = tables[table!]!.map((row) => `(${columns.map((c) => String(row[c])).join(',')})`).sort();
    return [{ dump: lines.join('\n') }];
  }) as RunQuery;
}

const database = (): Tables => ({
  events: [{ global_position: 1, type: 'MoneyDeposited' }],
  api_rate_limits: [{ key: 'api-key:k1', points: 3, expire: 1000 }],
  api_keys: [{ id: 'k1', name: 'cluster client', enabled: true, request_count: 3, last_request: 10, updated_at: 10 }],
});

describe('dumpTables', () => {
  it('compares the request counters and the API keys in full by default', async () => {
    const before = await dumpTables(fakeDatabase(database()));
    expect(Object.keys(before).sort()).toEqual(['api_keys', 'api_rate_limits', 'events']);
    for (const plant of [
      (t: Tables) => (t.api_rate_limits![0]!.points = 4),
      (t: Tables) => (t.api_keys![0]!.request_count = 4),
      (t: Tables) => (t.events![0]!.type = 'MoneyWithdrawn'),
    ]) {
      const changed = database();
      plant(changed);
      expect(await dumpTables(fakeDatabase(changed)), String(plant)).not.toEqual(before);
    }
  });

  it("API_KEY_BOOKKEEPING ignores only what a key's request moves: a new budget row or a renamed key still differs", async () => {
    const before = await dumpTables(fakeDatabase(database()), API_KEY_BOOKKEEPING);
    const moved = database();
    moved.api_rate_limits![0]!.points = 9;
    moved.api_rate_limits![0]!.expire = 2000;
    moved.api_keys![0]!.request_count = 9;
    moved.api_keys![0]!.last_request = 20;
    moved.api_keys![0]!.updated_at = 20;
    expect(await dumpTables(fakeDatabase(moved), API_KEY_BOOKKEEPING)).toEqual(before);

    const newRow = database();
    newRow.api_rate_limits!.push({ key: 'customer:c1', points: 1, expire: 1000 });
    expect(await dumpTables(fakeDatabase(newRow), API_KEY_BOOKKEEPING)).not.toEqual(before);
    const renamed = database();
    renamed.api_keys![0]!.name = 'renamed';
    expect(await dumpTables(fakeDatabase(renamed), API_KEY_BOOKKEEPING)).not.toEqual(before);
  });
});
