import { getAuthTables } from 'better-auth/db';
import { createAuth } from '../lib/auth/auth';
import { authConfig } from '../lib/auth/config';
const a = createAuth({} as never, authConfig({ BETTER_AUTH_SECRET: 'x'.repeat(40) }));
const ctx = await a.$context.catch((e: unknown) => { console.error('ctx', e); return null; });
const tables = getAuthTables(a.options as never);
console.log(JSON.stringify(tables, (k, v) => (typeof v === 'function' ? undefined : v), 1));
