// The fault-injecting proxy at the protocol level, with plain `pg` clients: it passes traffic
// through, answers SSLRequest with 'N', and an armed cut lets the statement COMMIT while the client
// only sees its connection drop.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPostgres } from '../lib/db/embedded-postgres';
import { startPostgres } from './cluster';
import { PgProxy } from './tcp-proxy';

let postgres: RunningPostgres;
let proxy: PgProxy;
let direct: pg.Client;

beforeAll(async () => {
  postgres = await startPostgres();
  proxy = await PgProxy.start({ port: postgres.port });
  direct = new pg.Client({ connectionString: postgres.ownerUrl }); // creates the test's table
  await direct.connect();
  await direct.query('CREATE TABLE cut_test (id int PRIMARY KEY, note text)');
});

afterAll(async () => {
  await direct?.end();
  await proxy?.close();
  await postgres?.stop();
});

async function throughProxy(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: proxy.url(postgres.url) });
  client.on('error', () => {}); // the cut also surfaces as an 'error' event
  await client.connect();
  return client;
}

const count = async (id: number) =>
  Number((await direct.query('SELECT count(*) FROM cut_test WHERE id = $1', [id])).rows[0].count);

describe('PgProxy', () => {
  it('passes simple and extended queries through', async () => {
    const client = await throughProxy();
    expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
    expect((await client.query('SELECT $1::int * 2 AS n', [21])).rows).toEqual([{ n: 42 }]);
    expect((await client.query({ name: 'named', text: 'SELECT $1::text AS t', values: ['x'] })).rows).toEqual([
      { t: 'x' },
    ]);
    expect((await client.query({ name: 'named', text: 'SELECT $1::text AS t', values: ['y'] })).rows).toEqual([
      { t: 'y' },
    ]);
    await client.end();
  });

  it('answers an SSLRequest with N', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    const reply = await new Promise<string>((resolve, reject) => {
      socket.once('data', (chunk) => resolve(chunk.toString('latin1')));
      socket.once('error', reject);
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(80877103, 4);
      socket.write(request);
    });
    socket.destroy();
    expect(reply).toBe('N');
  });

  it('cuts after the Sync of a matching extended-protocol statement: committed, but the client sees a failure', async () => {
    const client = await throughProxy();
    const cut = proxy.armCutAfter((sql) => sql.includes('INSERT INTO cut_test'), 1);
    await expect(client.query('INSERT INTO cut_test (id, note) VALUES ($1, $2)', [1, 'extended'])).rejects.toThrow(
      /Connection terminated|ECONNRESET|closed/i,
    );
    const [record] = await cut;
    expect(record).toMatchObject({
      protocol: 'extended',
      inTransaction: false,
      serverReply: 'committed',
      detail: 'INSERT 0 1',
    });
    expect(await count(1)).toBe(1);
    // Unrelated statements and new connections are not affected.
    const again = await throughProxy();
    expect((await again.query('SELECT count(*)::int AS n FROM cut_test')).rows).toEqual([{ n: 1 }]);
    await again.end();
  });

  it('cuts after a matching simple-protocol Query', async () => {
    const client = await throughProxy();
    const cut = proxy.armCutAfter((sql) => /INSERT INTO cut_test/.test(sql), 1);
    await expect(client.query(`INSERT INTO cut_test (id, note) VALUES (2, 'simple')`)).rejects.toThrow();
    expect((await cut)[0]).toMatchObject({ protocol: 'simple', inTransaction: false, serverReply: 'committed' });
    expect(await count(2)).toBe(1);
  });

  it('records the server error when the cut statement failed (nothing committed)', async () => {
    const client = await throughProxy();
    const cut = proxy.armCutAfter((sql) => sql.includes('INSERT INTO cut_test'), 1);
    await expect(client.query('INSERT INTO cut_test (id, note) VALUES ($1, $2)', [1, 'duplicate'])).rejects.toThrow();
    expect((await cut)[0]).toMatchObject({ serverReply: 'error', detail: '23505' });
    expect(await count(1)).toBe(1);
  });

  it('inside BEGIN … COMMIT, cuts after the COMMIT (not after the statement)', async () => {
    const client = await throughProxy();
    const cut = proxy.armCutAfter((sql) => sql.includes('INSERT INTO cut_test'), 1);
    await client.query('BEGIN');
    await client.query('INSERT INTO cut_test (id, note) VALUES ($1, $2)', [3, 'in a transaction']);
    await client.query('SELECT pg_advisory_xact_lock($1)', [42]);
    expect(await count(3)).toBe(0); // not committed yet, and the connection is still up
    await expect(client.query('COMMIT')).rejects.toThrow();
    expect((await cut)[0]).toMatchObject({
      protocol: 'simple',
      inTransaction: true,
      serverReply: 'committed',
      detail: 'COMMIT',
    });
    expect(await count(3)).toBe(1);
  });

  it('a ROLLBACK gives the arm back; the next matching autocommit statement is cut', async () => {
    const client = await throughProxy();
    const cut = proxy.armCutAfter((sql) => sql.includes('INSERT INTO cut_test'), 1);
    await client.query('BEGIN');
    await client.query('INSERT INTO cut_test (id) VALUES ($1)', [4]);
    await client.query('ROLLBACK');
    expect(await count(4)).toBe(0);
    await expect(client.query('INSERT INTO cut_test (id) VALUES ($1)', [5])).rejects.toThrow();
    expect((await cut)[0]).toMatchObject({ inTransaction: false, serverReply: 'committed' });
    expect(await count(5)).toBe(1);
  });

  it('cuts only `count` times', async () => {
    const cut = proxy.armCutAfter((sql) => sql.includes('INSERT INTO cut_test'), 2);
    const results = [];
    for (const id of [10, 11, 12]) {
      const client = await throughProxy();
      results.push(
        await client.query('INSERT INTO cut_test (id) VALUES ($1)', [id]).then(
          () => 'ok',
          () => 'cut',
        ),
      );
      await client.end().catch(() => {});
    }
    expect(results).toEqual(['cut', 'cut', 'ok']);
    expect(await cut).toHaveLength(2);
    expect(Number((await direct.query('SELECT count(*) FROM cut_test WHERE id >= 10')).rows[0].count)).toBe(3);
  });
});
