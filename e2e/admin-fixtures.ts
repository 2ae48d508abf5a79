import { expect, type Page } from '@playwright/test';
import { signIn } from './admin-auth';
import { clientAddress, test as base } from './fixtures';

// The admin specs' fixtures: `page` is a signed-in customer (./fixtures.ts); `adminPage` a browser
// context of its own, signed in as the suite's admin, allowed to use the clipboard.

export const test = base.extend<{ adminPage: Page }>({
  adminPage: async ({ browser, baseURL }, provide) => {
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    const page = await context.newPage();
    await signIn(page);
    await provide(page);
    await context.close();
  },
});

/** An API key of the signed-in user of `page` (better-auth's endpoint, as a browser would call it). */
export async function createApiKey(page: Page, baseURL: string, name: string): Promise<{ id: string; key: string }> {
  const response = await page.request.post('/api/auth/api-key/create', {
    data: { name },
    headers: { origin: baseURL },
  });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as { id: string; key: string };
}
