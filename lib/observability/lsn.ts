// A PostgreSQL WAL position as a caller may send it back (`16/B374D848`): read-your-writes on a
// replica (lib/db/read-replica.ts). Anything else is ignored, never passed to SQL.
const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

export const parseLsn = (value: string | undefined | null): string | undefined =>
  value && LSN.test(value.trim()) ? value.trim().toUpperCase() : undefined;
