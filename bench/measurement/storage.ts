// Storage per command: the size of every table (pg_table_size: heap, TOAST, free-space and
// visibility maps) and every index (pg_relation_size) of the public schema, read before and after
// a measured run; the growth divided by the commands the run recorded (rows added to `commands`).
import pg from 'pg';

export type Sizes = Map<string, { table: string; kind: 'table' | 'index'; bytes: number }>;
export type StorageRow = {
  relation: string;
  table: string;
  kind: 'table' | 'index';
  bytes: number;
  bytesPerCommand: number;
};

export async function relationSizes(url: string): Promise<Sizes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ relation: string; tbl: string; kind: string; bytes: string }>(
      `SELECT c.relname AS relation, coalesce(t.relname, c.relname) AS tbl,
              CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END AS kind,
              (CASE c.relkind WHEN 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END)::text AS bytes
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         LEFT JOIN pg_index i ON i.indexrelid = c.oid
         LEFT JOIN pg_class t ON t.oid = i.indrelid
        WHERE c.relkind IN ('r', 'i')`,
    );
    return new Map(
      rows.map((r) => [r.relation, { table: r.tbl, kind: r.kind as 'table' | 'index', bytes: Number(r.bytes) }]),
    );
  } finally {
    await client.end();
  }
}

/** Relations that grew, largest growth first. */
export function storagePerCommand(before: Sizes, after: Sizes, commands: number): StorageRow[] {
  return [...after.entries()]
    .map(([relation, a]) => {
      const bytes = a.bytes - (before.get(relation)?.bytes ?? 0);
      return { relation, table: a.table, kind: a.kind, bytes, bytesPerCommand: commands > 0 ? bytes / commands : 0 };
    })
    .filter((r) => r.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

export type ColumnSize = { table: string; column: string; bytesPerRow: number; rowsPerCommand: number };

/**
 * What a table's rows hold, column by column: the average stored size of each column
 * (pg_column_size: after compression, with its varlena header) over the table's live rows, and the
 * rows per command. The whole row adds a 24-byte tuple header and a 4-byte line pointer, and pages
 * carry the free space that inserts leave behind.
 */
export async function columnSizes(url: string, tables: readonly string[], commands: number): Promise<ColumnSize[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: ColumnSize[] = [];
    for (const table of tables) {
      const { rows: columns } = await client.query<{ name: string }>(
        `SELECT attname AS name FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [table],
      );
      const averages = columns.map((c) => `coalesce(avg(pg_column_size(t."${c.name}")), 0)::float8 AS "${c.name}"`);
      const { rows } = await client.query<Record<string, number>>(
        `SELECT count(*)::float8 AS "__rows", avg(pg_column_size(t.*))::float8 AS "__row", ${averages.join(', ')} FROM "${table}" t`,
      );
      const row = rows[0]!;
      out.push({
        table,
        column: '(whole row)',
        bytesPerRow: row.__row!,
        rowsPerCommand: commands > 0 ? row.__rows! / commands : 0,
      });
      for (const c of columns)
        out.push({
          table,
          column: c.name,
          bytesPerRow: row[c.name]!,
          rowsPerCommand: commands > 0 ? row.__rows! / commands : 0,
        });
    }
    return out;
  } finally {
    await client.end();
  }
}
