// One plain `pg` session for a few statements: connected, handed to `run`, always ended. For scripts,
// tests, benchmarks and the admin operations that need a session of their own (not server-only).
import pg from 'pg';

export async function withClient<T>(
  url: string,
  run: (client: pg.Client) => Promise<T>,
  config: Omit<pg.ClientConfig, 'connectionString'> = {},
): Promise<T> {
  const client = new pg.Client({ ...config, connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
