// `npx tsx --conditions=react-server bench/stream-throughput.ts [events] [streams]`: the JetStream
// relay's and the statements consumer's throughput, measured (never asserted). A fresh embedded
// PostgreSQL and nats-server; `streams` account streams of events/streams events each are seeded
// with bulk SQL; then one relay publishes the whole log (timed from its start to its position at
// the log's end), then the statements consumer applies the whole stream (timed the same way).
import { startBenchServer } from './measurement/pg-server';
import { migrate } from '../lib/db/migrate';
import { withClient } from '../lib/db/with-client';
import { startNatsServer } from '../lib/cluster/nats';
import { Relay } from '../lib/streaming/relay';
import { StatementsConsumer } from '../lib/statements/consumer';
import { seedStream } from './contenders/seed';
import { exitAfter } from './measurement/spawn';

const total = Number(process.argv[2] ?? 20_000);
const streams = Number(process.argv[3] ?? 20);
const log = (line: string) => console.log(`[stream-throughput] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(read: () => Promise<number>, target: number): Promise<void> {
  while ((await read()) < target) await sleep(20);
}

async function main() {
  const server = await startBenchServer(log);
  const nats = await startNatsServer();
  try {
    const url = await server.freshDatabase('bench_stream');
    await migrate(url);
    for (let i = 0; i < streams; i++) await seedStream(url, Math.floor(total / streams), null);
    const events = await withClient(url, async (c) =>
      Number((await c.query('SELECT count(*) FROM events')).rows[0].count),
    );
    log(
      `${events} events in ${streams} streams; load average ${(await import('node:os'))
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}`,
    );

    const relay = new Relay({ database: url, nats: nats.url }, { pollMs: 20 });
    let started = performance.now();
    relay.start();
    await withClient(url, (c) =>
      until(
        async () =>
          Number((await c.query('SELECT events_published FROM relay_positions')).rows[0]?.events_published ?? 0),
        events,
      ),
    );
    const relaySeconds = (performance.now() - started) / 1000;
    await relay.stop();
    log(
      `relay: ${events} events published and acknowledged in ${relaySeconds.toFixed(2)} s = ${(events / relaySeconds).toFixed(0)} events/s (batches of 500 in flight)`,
    );

    const consumer = new StatementsConsumer({ database: url, nats: nats.url });
    started = performance.now();
    consumer.start();
    await withClient(url, (c) =>
      until(
        async () =>
          Number(
            (await c.query('SELECT stream_sequence FROM statements.consumer_position').catch(() => ({ rows: [] })))
              .rows[0]?.stream_sequence ?? 0,
          ),
        events,
      ),
    );
    const consumerSeconds = (performance.now() - started) / 1000;
    await consumer.stop();
    log(
      `statements consumer: ${events} messages applied in ${consumerSeconds.toFixed(2)} s = ${(events / consumerSeconds).toFixed(0)} messages/s (batches of 200, one transaction each)`,
    );
  } finally {
    await nats.stop();
    await server.stop();
  }
}

exitAfter(main);
