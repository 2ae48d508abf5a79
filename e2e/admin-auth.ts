import { expect, type Page } from '@playwright/test';
import { e2eAdmin } from '../playwright.config';

export { e2eAdmin };

/** Fills the sign-in form, submits, and waits for the server's answer. */
export async function submitSignIn(page: Page, email: string, password: string) {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await expect(form.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  // Before hydration the click is a plain form POST, after it a server-action fetch: wait for either.
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    form.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  // Then for React to render the outcome: it also resets the form, which would wipe a next fill.
  await expect(page.getByRole('button', { name: /^(Sign in|Sign out)$/ }).first()).toBeEnabled();
}

/** A wrong password's message: the generic sentence, then how many attempts are left from this network. */
export const INCORRECT_SIGN_IN =
  /^Email or password is incorrect\. \d attempts? left before sign-in to this email from your network is paused for 15 minutes\.$/;
/** The sign-in form's message (a wrong password, too many attempts). */
export const signInError = (page: Page) => page.locator('#sign-in-error');

/** Signs in through the UI as the suite's admin, via /sign-in?next=<path>, and waits to land on `path`. */
export async function signIn(page: Page, path = '/admin') {
  await page.goto(`/sign-in?next=${encodeURIComponent(path)}`);
  await submitSignIn(page, e2eAdmin.email, e2eAdmin.password);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page).not.toHaveURL(/\/sign-in/);
}
