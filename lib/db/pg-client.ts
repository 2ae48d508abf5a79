import 'server-only';
import pg from 'pg';

/** A short-lived plain `pg` client for admin operations that need one session (verify, rebuild). */
export async function withPgClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const client = new pg.Client({ connectionString: url, application_name: 'idem-admin' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
