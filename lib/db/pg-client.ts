import 'server-only';
import type pg from 'pg';
import { withClient } from './with-client';
import { loadConfig } from '@/lib/config';

/** A short-lived plain `pg` client for admin operations that need one session (verify, rebuild). */
export async function withPgClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = loadConfig().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return withClient(url, run, { application_name: 'idem-admin' });
}
