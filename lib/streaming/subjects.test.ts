import { describe, expect, it } from 'vitest';
import { splitStreamId, subjectOf } from './subjects';

const uuid = '0b9f6c1e-6a51-4d3f-9f0a-2f1f8c1d2e3f';

describe('subjectOf', () => {
  it('puts an account stream under its type and uuid', () => {
    expect(subjectOf(`account-${uuid}`)).toBe(`idem.events.account.${uuid}`);
  });
  it('keeps a multi-word stream type whole', () => {
    expect(splitStreamId(`payment-order-${uuid}`)).toEqual({ type: 'payment-order', id: uuid });
    expect(subjectOf(`payment-order-${uuid}`)).toBe(`idem.events.payment-order.${uuid}`);
  });
  it('splits an id without a uuid at its last dash', () => {
    expect(subjectOf('customer-profile-42')).toBe('idem.events.customer-profile.42');
  });
  it('never makes a token a wildcard, a separator or empty', () => {
    expect(subjectOf('odd.type-a*b>c')).toBe('idem.events.odd_type.a_b_c');
    expect(subjectOf('lonely')).toBe('idem.events.stream.lonely');
  });
});
