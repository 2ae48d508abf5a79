import { describe, expect, it } from 'vitest';
import { fieldErrors, signInSchema, signUpSchema, waitText } from './forms';

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
});

describe('waitText', () => {
  it('reads like a person', () => {
    expect([waitText(1), waitText(30), waitText(60), waitText(61), waitText(900)]).toEqual(['1 second', '30 seconds', '1 minute', '2 minutes', '15 minutes']);
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
