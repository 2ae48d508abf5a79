// Storage per command on the engine path alone: `commands` withdrawals and deposits through Idem's
// production command path (bench/contenders/idem.ts), 8 writers over 50 accounts, on a fresh
// database; bytes per command per table and index from pg_table_size / pg_relation_size before and
// after (bench/measurement/storage.ts). `npm run bench -- --storage-probe`.
import pg from 'pg';
import { migrate } from '../../lib/db/migrate';
import { idemAppender } from '../contenders/idem';
import type { BenchServer } from '../measurement/pg-server';
import {
  columnSizes,
  relationSizes,
  storagePerCommand,
  type ColumnSize,
  type StorageRow,
} from '../measurement/storage';

export async function runStorageProbe(
  server: BenchServer,
  commands: number,
): Promise<{ commands: number; rows: StorageRow[]; columns: ColumnSize[]; bytesPerCommand: number }> {
  const url = await server.freshDatabase('bench_storage_probe');
  await migrate(url);
  const appender = idemAppender(url, 8);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let k = 0; k < 50; k++) await appender.open?.(`k${k}`);
    const count = async () =>
      Number((await client.query<{ n: string }>('SELECT count(*)::text AS n FROM commands')).rows[0]!.n);
    const before = await relationSizes(url);
    const first = await count();
    let seq = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < commands / 8; i++) await appender.append(`k${(writer * 7 + i) % 50}`, writer, seq++);
      }),
    );
    const recorded = (await count()) - first;
    const rows = storagePerCommand(before, await relationSizes(url), recorded);
    const columns = await columnSizes(url, ['events', 'commands', 'account_transactions'], await count());
    return { commands: recorded, rows, columns, bytesPerCommand: rows.reduce((n, r) => n + r.bytesPerCommand, 0) };
  } finally {
    await client.end();
    await appender.close();
  }
}
