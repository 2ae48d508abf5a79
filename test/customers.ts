// The acting customer of tests that are not about ownership: every command names one.
import { legacyAccountNumber, type AccountNumber } from '@/lib/accounts/domain/account-number';

export const CUSTOMER = 'customer-test-owner';

/** A valid, unique-enough account number for an account a test opens directly through the handler. */
export const testAccountNumber = (accountId: string): AccountNumber => legacyAccountNumber(accountId);
