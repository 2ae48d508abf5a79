import { describe, expect, it } from 'vitest';
import { announcement } from './announce';

describe('the live announcement', () => {
  it('says who sent money, masked as the public event names them', () => {
    expect(announcement({ type: 'transfer.received', data: { amount: '5.00', from: { name: 'G. H*****' } } })).toBe(
      'Received $5.00 from G. H*****',
    );
  });

  it('says where money went, and deposits and withdrawals in a few words', () => {
    expect(announcement({ type: 'transfer.sent', data: { amount: '1234.50', to: { name: 'A. L*******' } } })).toBe(
      'Sent $1,234.50 to A. L*******',
    );
    expect(announcement({ type: 'money.deposited', data: { amount: '0.05' } })).toBe('Deposited $0.05');
    expect(announcement({ type: 'money.withdrawn', data: { amount: '40.00' } })).toBe('Withdrew $40.00');
  });

  it('says nothing for an opening or for an event it cannot read', () => {
    expect(announcement({ type: 'account.opened', data: { amount: '0.00' } })).toBeNull();
    expect(announcement({ type: 'money.deposited', data: { amount: 5 } })).toBeNull();
    expect(announcement({ type: 'transfer.received', data: { amount: 'lots' } })).toBeNull();
  });
});
