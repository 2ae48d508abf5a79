import type pg from 'pg';
import { DAILY_TOTALS } from './daily-totals';
import { lagOf } from './global-log';
import { readCheckpoint } from './runner';
import type { ProjectionName } from './rebuild';

export type ProjectionStatus = {
  name: ProjectionName;
  kind: 'inline' | 'async';
  description: string;
  rows: number;
  /** Async: the checkpoint; inline: always the head of the log (written in the same transaction). */
  position: string;
  lag: number;
  eventsProcessed: number | null;
  updatedAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
};

export async function projectionStatuses(client: pg.ClientBase): Promise<ProjectionStatus[]> {
  const count = async (table: string) =>
    Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);
  const head =
    (await client.query<{ p: string | null }>(`SELECT max(global_position)::text AS p FROM events`)).rows[0]!.p ?? '0';
  const checkpoint = await readCheckpoint(client, DAILY_TOTALS);
  const { rows } = await client.query<{ processed: string; updated: Date; error: string | null; errorAt: Date | null }>(
    `SELECT events_processed::text AS processed, updated_at AS updated, last_error AS error, last_error_at AS "errorAt" FROM projection_checkpoints WHERE name = $1`,
    [DAILY_TOTALS],
  );
  const inline = {
    kind: 'inline' as const,
    position: head,
    lag: 0,
    eventsProcessed: null,
    updatedAt: null,
    lastError: null,
    lastErrorAt: null,
  };
  return [
    {
      ...inline,
      name: 'account-balances',
      description: 'Balance per account (inline: same transaction as the events)',
      rows: await count('account_balances'),
    },
    {
      ...inline,
      name: 'account-transactions',
      description: 'Money movements per account (inline)',
      rows: await count('account_transactions'),
    },
    {
      name: DAILY_TOTALS,
      kind: 'async',
      description: 'Money in and out per account and UTC day (asynchronous, from the global log)',
      rows: await count('daily_account_totals'),
      position: checkpoint.position.toString(),
      lag: await lagOf(client, checkpoint),
      eventsProcessed: rows[0] ? Number(rows[0].processed) : 0,
      updatedAt: rows[0]?.updated ?? null,
      lastError: rows[0]?.error ?? null,
      lastErrorAt: rows[0]?.errorAt ?? null,
    },
  ];
}
