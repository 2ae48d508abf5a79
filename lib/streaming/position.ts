// The relay's position in the global log (table relay_positions): read, advanced after JetStream
// acknowledged, and reconciled with the stream's last message at start (see ./relay.ts).
import type pg from 'pg';
import { START, type Checkpoint } from '@/lib/projections/global-log';

export const RELAY_NAME = 'jetstream';

export async function readRelayPosition(client: pg.ClientBase, name = RELAY_NAME): Promise<Checkpoint> {
  const read = () =>
    client.query<{ tx: string; pos: string }>(
      `SELECT last_transaction_id AS tx, last_position::text AS pos FROM relay_positions WHERE name = $1`,
      [name],
    );
  let { rows } = await read();
  if (rows.length === 0) {
    await client.query(`INSERT INTO relay_positions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
    ({ rows } = await read());
  }
  const row = rows[0];
  return row ? { transactionId: row.tx, position: BigInt(row.pos) } : START;
}

/** Moves the position forward only (a late writer that lost leadership can never move it back). */
export async function advanceRelayPosition(
  client: pg.ClientBase,
  to: Checkpoint,
  published: number,
  streamSequence: number,
  name = RELAY_NAME,
): Promise<void> {
  await client.query(
    `UPDATE relay_positions
        SET last_transaction_id = $2, last_position = $3, events_published = events_published + $4,
            last_stream_sequence = GREATEST(last_stream_sequence, $5), updated_at = now()
      WHERE name = $1 AND (last_transaction_id::xid8, last_position) < ($2::text::xid8, $3::bigint)`,
    [name, to.transactionId, to.position.toString(), published, streamSequence],
  );
}
