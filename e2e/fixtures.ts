import { test as base, expect, type Page } from '@playwright/test';
import pg from 'pg';
import { e2eDatabaseUrl } from '../playwright.config';

type Account = { id: string; owner: string; url: string };

type Fixtures = {
  db: pg.Pool;
  /** A fresh account, opened through the UI, with $200.00. */
  account: Account;
};

export const test = base.extend<Fixtures>({
  db: async ({}, provide) => {
    const pool = new pg.Pool({ connectionString: e2eDatabaseUrl, max: 2 });
    await provide(pool);
    await pool.end();
  },
  account: async ({ page }, provide) => {
    await provide(await openAccount(page, `Test owner ${Math.random().toString(36).slice(2, 8)}`, '200.00'));
  },
});

export { expect };

export async function openAccount(page: Page, owner: string, openingDeposit: string): Promise<Account> {
  await page.goto('/');
  const form = page.getByRole('form', { name: 'Open account' });
  await form.getByLabel('Owner name').fill(owner);
  await form.getByLabel('Opening deposit').fill(openingDeposit);
  await expect(form.getByRole('button', { name: 'Open account' })).toBeEnabled();
  await form.getByRole('button', { name: 'Open account' }).click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: owner })).toBeVisible();
  const id = page.url().split('/').pop()!;
  return { id, owner, url: `/accounts/${id}` };
}

export async function eventCount(db: pg.Pool, accountId: string, type?: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM events WHERE stream_id = $1 AND ($2::text IS NULL OR type = $2)',
    [`account-${accountId}`, type ?? null],
  );
  return Number(rows[0]!.n);
}

export async function commandCount(db: pg.Pool, accountId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM commands WHERE $1 = ANY(stream_ids)', [`account-${accountId}`]);
  return Number(rows[0]!.n);
}
