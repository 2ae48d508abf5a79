// An inline projection is a table the engine writes in the same statement as a command's events.
// The module that owns the table declares it once (columns, key, conflict rule) and hands rows for
// it on each accepted command; the engine writes every declared projection, in a fixed order, so the
// statement text is the same for every command of a spec (one prepared statement).

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export type InlineProjection = {
  table: string;
  /** Column name → PostgreSQL type, in insert order. Rows are objects keyed by these names. */
  columns: Readonly<Record<string, string>>;
  /** The columns of the table's primary key (the conflict target, and the write order). */
  key: readonly string[];
  /**
   * When a row with that key exists: 'error' (no ON CONFLICT clause: the key is a guard, e.g. a row
   * per stream version), 'nothing', or SQL for `DO UPDATE SET … [WHERE …]`.
   */
  onConflict: 'error' | 'nothing' | { update: string };
  /**
   * Unique constraints of this table that only fire when another command advanced one of the
   * streams first (e.g. a row keyed by stream version): read like the events' version constraint.
   */
  streamVersionConstraints?: readonly string[];
};

export type ProjectionRow = Record<string, string | number | boolean | null>;

/** Rows a command hands the engine for one declared projection. */
export type ProjectionWrite = { projection: InlineProjection; rows: ProjectionRow[] };

export function defineInlineProjection(projection: InlineProjection): InlineProjection {
  const names = [projection.table, ...Object.keys(projection.columns), ...projection.key];
  const bad = names.find((n) => !IDENTIFIER.test(n));
  if (bad !== undefined)
    throw new Error(`Inline projection ${projection.table}: "${bad}" is not a plain lower-case SQL identifier`);
  const missing = projection.key.find((k) => !Object.hasOwn(projection.columns, k));
  if (missing !== undefined)
    throw new Error(`Inline projection ${projection.table}: key column "${missing}" is not a column`);
  if (Object.values(projection.columns).some((type) => !/^[a-z][a-z0-9 ()[\]]*$/.test(type))) {
    throw new Error(`Inline projection ${projection.table}: column types must be plain SQL type names`);
  }
  return projection;
}

/** Rows in one global order (by key), so concurrent commits lock rows in the same order. */
export function sortRows(projection: InlineProjection, rows: ProjectionRow[]): ProjectionRow[] {
  return [...rows].sort((a, b) => {
    for (const k of projection.key) {
      const x = a[k] ?? null;
      const y = b[k] ?? null;
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  });
}
