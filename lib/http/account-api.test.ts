import { describe, expect, it } from 'vitest';
import { rejectionProblem, transferRejectionProblem } from '@/lib/http/account-api';
import type { AccountId } from '@/lib/accounts/domain/account-id';

const recipient = '00000000-0000-4000-8000-000000000001' as AccountId;

describe('a transfer rejected for the recipient’s balance limit', () => {
  it('names neither the recipient’s account id nor their balance (a deposit to one’s own account still does)', () => {
    const rejection = {
      code: 'BalanceLimitExceeded',
      accountId: recipient,
      balanceCents: 9_999_999_999_999,
      requestedCents: 5_000,
    } as const;
    const answer = transferRejectionProblem(rejection);
    expect(answer).toEqual({
      type: '/problems/balance-limit-exceeded',
      title: 'Balance limit exceeded',
      status: 422,
      detail: 'This transfer would take the recipient’s balance past the limit. Nothing was transferred.',
      requested: '50.00',
    });
    expect(JSON.stringify(answer)).not.toMatch(/00000000-0000-4000-8000-000000000001|99999999999/);
    expect(rejectionProblem(rejection)).toMatchObject({ accountId: recipient });
  });
});
