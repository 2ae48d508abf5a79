import { describe, expect, it } from 'vitest';
import { defineInlineProjection, sortRows, type InlineProjection, type ProjectionRow } from './inline-projection';

// A declared projection becomes SQL text (table, column names and types, conflict target), so the
// declaration is checked once, when the module loads; rows are written in one global order by key.

const valid: InlineProjection = {
  table: 'ledger_lines',
  columns: {
    stream_id: 'text',
    version: 'int',
    amount: 'bigint',
    tags: 'text[]',
    note: 'varchar(80)',
    ratio: 'double precision',
  },
  key: ['stream_id', 'version'],
  onConflict: 'error',
};
const define = (change: Partial<InlineProjection>) => () => defineInlineProjection({ ...valid, ...change });

describe('defineInlineProjection', () => {
  it('returns a valid declaration as it is', () => {
    expect(defineInlineProjection(valid)).toBe(valid);
  });

  it.each(['LedgerLines', 'ledger-lines', 'ledger lines', '1ledger', 'public.ledger', 'ledger;drop', ''])(
    'rejects the table name %j',
    (table) => {
      expect(define({ table })).toThrow(
        `Inline projection ${table}: "${table}" is not a plain lower-case SQL identifier`,
      );
    },
  );

  it.each(['Amount', 'amount-cents', '"amount"', 'amount cents', '9amount'])('rejects the column name %j', (column) => {
    expect(define({ columns: { ...valid.columns, [column]: 'int' } })).toThrow(
      `"${column}" is not a plain lower-case SQL identifier`,
    );
  });

  it('rejects a key that is not a plain identifier', () => {
    expect(define({ key: ['stream_id', 'Version'] })).toThrow('"Version" is not a plain lower-case SQL identifier');
  });

  it('rejects key columns that are not columns, including names every object inherits', () => {
    expect(define({ key: ['stream_id', 'position'] })).toThrow(
      'Inline projection ledger_lines: key column "position" is not a column',
    );
    expect(define({ key: ['constructor'] })).toThrow('key column "constructor" is not a column');
  });

  it.each(['TEXT', 'text; drop table x', "text'", 'numeric(10,2)', 'int -- x', '', 'json"'])(
    'rejects the column type %j',
    (type) => {
      expect(define({ columns: { ...valid.columns, amount: type } })).toThrow(
        'Inline projection ledger_lines: column types must be plain SQL type names',
      );
    },
  );
});

describe('sortRows', () => {
  const byKey = (rows: ProjectionRow[]) => sortRows(valid, rows).map((r) => `${r.stream_id}/${r.version}/${r.amount}`);

  it('orders by the first key column, then the next', () => {
    const rows = [
      { stream_id: 'b', version: 1, amount: 1 },
      { stream_id: 'a', version: 2, amount: 2 },
      { stream_id: 'a', version: 1, amount: 3 },
      { stream_id: 'c', version: 0, amount: 4 },
    ];
    expect(byKey(rows)).toEqual(['a/1/3', 'a/2/2', 'b/1/1', 'c/0/4']);
  });

  it('compares numbers as numbers (10 after 9) and strings by code unit (upper case first)', () => {
    const rows = [10, 9, 100].map((version) => ({ stream_id: 's', version, amount: version }));
    expect(byKey(rows)).toEqual(['s/9/9', 's/10/10', 's/100/100']);
    expect(byKey([{ stream_id: 'a' }, { stream_id: 'B' }, { stream_id: 'é' }]).map((k) => k.split('/')[0])).toEqual([
      'B',
      'a',
      'é',
    ]);
  });

  it('puts nulls first, in any key column', () => {
    const rows = [
      { stream_id: 'a', version: 1 },
      { stream_id: null, version: 5 },
      { stream_id: 'a', version: null },
      { stream_id: null, version: 2 },
    ];
    expect(byKey(rows)).toEqual(['null/2/undefined', 'null/5/undefined', 'a/null/undefined', 'a/1/undefined']);
  });

  it('keeps rows with equal keys in their given order, and leaves the input alone', () => {
    const rows = [
      { stream_id: 'b', version: 1, amount: 1 },
      { stream_id: 'a', version: 1, amount: 2 },
      { stream_id: 'b', version: 1, amount: 3 },
      { stream_id: 'a', version: 1, amount: 4 },
    ];
    const before = JSON.stringify(rows);
    expect(byKey(rows)).toEqual(['a/1/2', 'a/1/4', 'b/1/1', 'b/1/3']);
    expect(JSON.stringify(rows)).toBe(before);
  });
});
