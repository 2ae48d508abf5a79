import { describe, expect, it } from 'vitest';
import { fieldErrors, incorrectSignIn, signInSchema, signUpSchema, waitText } from './forms';

describe('sign-up fields', () => {
  it('accepts a name, an email (trimmed) and a long enough password', () => {
    expect(signUpSchema.parse({ name: ' Ada ', email: ' ada@example.com ', password: 'long enough' })).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      password: 'long enough',
    });
  });

  it('says what is wrong with each field', () => {
    const result = signUpSchema.safeParse({ name: '  ', email: 'ada@', password: 'short' });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!)).toEqual({
      name: 'Enter your name.',
      email: 'Enter an email address like ada@example.com.',
      password: 'Use at least 8 characters.',
    });
    expect(fieldErrors(signUpSchema.safeParse({}).error!)).toEqual({
      name: 'Enter your name.',
      email: 'Enter your email address.',
      password: 'Choose a password.',
    });
  });
});

describe('sign-in fields', () => {
  it('only asks for something in each field (what is wrong beyond that is one generic message)', () => {
    expect(fieldErrors(signInSchema.safeParse({ email: '', password: '' }).error!)).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
    expect(signInSchema.safeParse({ email: 'not-an-email', password: 'x' }).success).toBe(true);
  });

  it('an email with NUL or another control character is a field error (never sent on)', () => {
    expect(fieldErrors(signInSchema.safeParse({ email: 'a\u0000b@example.test', password: 'x' }).error!)).toEqual({
      email: 'An email address cannot contain control characters.',
    });
  });

  it('a refused password says how many attempts are left before a pause, keeping the generic first sentence', () => {
    expect(incorrectSignIn(null, 15)).toBe('Email or password is incorrect.');
    expect(incorrectSignIn(4, 15)).toBe(
      'Email or password is incorrect. 4 attempts left before sign-in to this email from your network is paused for 15 minutes.',
    );
    expect(incorrectSignIn(1, 15)).toBe(
      'Email or password is incorrect. 1 attempt left before sign-in to this email from your network is paused for 15 minutes.',
    );
    expect(incorrectSignIn(0, 15)).toBe(
      'Email or password is incorrect. Sign-in to this email from your network is now paused for 15 minutes.',
    );
  });
});

describe('waitText', () => {
  it('reads like a person', () => {
    expect([waitText(1), waitText(30), waitText(60), waitText(61), waitText(900)]).toEqual([
      '1 second',
      '30 seconds',
      '1 minute',
      '2 minutes',
      '15 minutes',
    ]);
  });
});

describe('the loopback mailbox', () => {
  it('signs in as admin@localhost (stored as admin@localhost.localdomain, which better-auth accepts)', async () => {
    const { canonicalEmail, signInSchema } = await import('./forms');
    expect(canonicalEmail('admin@localhost')).toBe('admin@localhost.localdomain');
    expect(canonicalEmail('Admin@LOCALHOST')).toBe('Admin@localhost.localdomain');
    expect(canonicalEmail('ada@example.com')).toBe('ada@example.com');
    expect(signInSchema.parse({ email: ' admin@localhost ', password: 'x' }).email).toBe('admin@localhost.localdomain');
  });
});
