// Benchmark 2 (parent side): runs bench/suites/round-trips-worker.ts on a fresh database.
import { migrate } from '../../lib/db/migrate';
import { withClient } from '../../lib/db/with-client';
import type { BenchServer } from '../measurement/pg-server';
import type { RoundTripRow } from './round-trips-worker';
import { runChild } from '../measurement/spawn';

export async function runRoundTripBench(
  server: BenchServer,
  config: { commands: number; contenders: number[] },
  log: (line: string) => void,
): Promise<RoundTripRow[]> {
  const url = await server.freshDatabase('bench_round_trips');
  await migrate(url);
  // Also count how often PostgreSQL plans the engine's statements (re-planning was a measured cost).
  if (server.statStatements)
    await withClient(url, (c) =>
      c.query('ALTER DATABASE bench_round_trips SET pg_stat_statements.track_planning = on'),
    );
  const rows = await runChild<RoundTripRow[]>('suites/round-trips-worker.ts', {
    ...config,
    url,
    statStatements: server.statStatements,
  });
  for (const r of rows) {
    const server =
      r.pgStatStatements === null
        ? ''
        : `, pg_stat_statements ${r.pgStatStatements.toFixed(2)}${r.planned ? `, planned per run: load ${r.planned.load?.toFixed(2) ?? '–'}, commit ${r.planned.commit?.toFixed(2) ?? '–'}` : ''}`;
    log(
      `round trips: ${r.scenario}: mean ${r.perCommand.mean.toFixed(2)}, p50 ${r.perCommand.p50}, max ${r.perCommand.max}${server}`,
    );
  }
  return rows;
}
