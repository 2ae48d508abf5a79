import { describe, expect, it } from 'vitest';
import { statementCsv } from './csv';

describe('statementCsv', () => {
  it('writes the figures, then the movements with signed amounts, quoting what needs it', () => {
    const csv = statementCsv(
      '123456789012',
      {
        month: '2026-12',
        openingCents: 10_000,
        creditsCents: 2_550,
        debitsCents: 1_000,
        closingCents: 11_550,
        movementCount: 2,
      },
      [
        {
          at: new Date('2026-12-01T10:00:00Z'),
          kind: 'transfer.received',
          amountCents: 2_550,
          balanceAfterCents: 12_550,
          counterparty: 'A. B*****',
          reference: 'rent, "December"',
        },
        {
          at: new Date('2026-12-02T10:00:00Z'),
          kind: 'money.withdrawn',
          amountCents: 1_000,
          balanceAfterCents: 11_550,
          counterparty: null,
          reference: null,
        },
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'Account,Month,Opening balance,Credits,Debits,Closing balance,Currency',
      '123456789012,2026-12,100.00,25.50,10.00,115.50,USD',
      '',
      'Date (UTC),Description,Counterparty,Reference,Amount,Balance',
      '2026-12-01T10:00:00.000Z,Transfer received,A. B*****,"rent, ""December""",25.50,125.50',
      '2026-12-02T10:00:00.000Z,Withdrawal,,,-10.00,115.50',
      '',
    ]);
  });
});
