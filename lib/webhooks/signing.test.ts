import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { outcomeOf, signingSecrets } from './dispatcher';
import type { Claimed } from './claims';
import { signDelivery } from './signing';

const secret = `whsec_${Buffer.from('a'.repeat(32)).toString('base64')}`;
const previous = `whsec_${Buffer.from('b'.repeat(32)).toString('base64')}`;
const body = JSON.stringify({
  type: 'money.deposited',
  timestamp: '2026-12-06T10:00:00.000Z',
  data: { amount: '1.00' },
});

describe('signing a delivery (checked with the standardwebhooks reference verifier)', () => {
  it('signs id.timestamp.body with v1 HMAC-SHA256 that the verifier accepts', () => {
    const now = new Date();
    const headers = signDelivery('evt_account-x_3', now, body, [secret]);
    expect(headers['webhook-id']).toBe('evt_account-x_3');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('a changed body, id or another secret fails verification', () => {
    const headers = signDelivery('evt_1', new Date(), body, [secret]);
    expect(() => new Webhook(secret).verify(body.replace('1.00', '9.00'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).toThrow();
  });

  it('during a rotation carries both signatures: either secret verifies', () => {
    const headers = signDelivery('evt_1', new Date(), body, [secret, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
  });

  it('signs with the previous secret only until its overlap ends', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    const claimed = {
      secret: 'S',
      previousSecret: 'P',
      previousSecretUntil: new Date('2026-12-07T10:00:00Z'),
    } as Claimed;
    const open = (sealed: string) => `open(${sealed})`;
    expect(signingSecrets(claimed, open, now)).toEqual(['open(S)', 'open(P)']);
    expect(signingSecrets(claimed, open, new Date('2026-12-07T10:00:01Z'))).toEqual(['open(S)']);
    expect(signingSecrets({ ...claimed, previousSecret: null }, open, now)).toEqual(['open(S)']);
  });
});

describe('what an answer means', () => {
  it('2xx acknowledges; anything else, a redirect or no answer is a failure', () => {
    expect(outcomeOf({ kind: 'answered', status: 204, body: '' })).toEqual({ ok: true, status: 204, response: '' });
    expect(outcomeOf({ kind: 'answered', status: 500, body: 'boom' })).toMatchObject({ ok: false, error: 'HTTP 500' });
    expect(outcomeOf({ kind: 'answered', status: 302, body: '' })).toMatchObject({
      ok: false,
      error: 'HTTP 302 (redirects are not followed)',
    });
    expect(outcomeOf({ kind: 'error', error: 'connect ECONNREFUSED' })).toMatchObject({ ok: false, status: null });
  });
});
