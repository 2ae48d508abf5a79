import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config';
import { apiLimits } from '@/lib/http/api-limits';

describe('API budgets from the environment', () => {
  it('account-number look-ups: 300 an hour per customer unless IDEM_RECIPIENT_LOOKUP_LIMIT says otherwise; off turns it off', () => {
    expect(apiLimits({}).recipientLookups).toEqual({ points: 300, seconds: 3600 });
    expect(apiLimits({ IDEM_RECIPIENT_LOOKUP_LIMIT: '5/60' }).recipientLookups).toEqual({ points: 5, seconds: 60 });
    expect(apiLimits({ IDEM_RECIPIENT_LOOKUP_LIMIT: 'off' }).recipientLookups).toBeNull();
    expect(() => apiLimits(loadConfig({ IDEM_RECIPIENT_LOOKUP_LIMIT: 'lots' }))).toThrow(
      /IDEM_RECIPIENT_LOOKUP_LIMIT must be <requests>\/<seconds>/,
    );
  });

  it('transfers from one customer into one account: 20 an hour unless IDEM_INBOUND_TRANSFERS_PER_HOUR says otherwise; off turns it off', () => {
    expect(apiLimits({}).inboundTransfersPerHour).toEqual({ points: 20, seconds: 3600 });
    expect(apiLimits({ IDEM_INBOUND_TRANSFERS_PER_HOUR: '5' }).inboundTransfersPerHour).toEqual({
      points: 5,
      seconds: 3600,
    });
    expect(apiLimits({ IDEM_INBOUND_TRANSFERS_PER_HOUR: 'off' }).inboundTransfersPerHour).toBeNull();
    expect(() => apiLimits(loadConfig({ IDEM_INBOUND_TRANSFERS_PER_HOUR: '0' }))).toThrow(
      /IDEM_INBOUND_TRANSFERS_PER_HOUR must be a whole number of at least 1, or off/,
    );
  });

  it('API keys: 1000 requests a minute unless IDEM_API_KEY_RATE_LIMIT says otherwise; off turns the budget off', () => {
    expect(apiLimits({}).perApiKey).toEqual({ points: 1000, seconds: 60 });
    expect(apiLimits({ IDEM_API_KEY_RATE_LIMIT: '50/1' }).perApiKey).toEqual({ points: 50, seconds: 1 });
    expect(apiLimits({ IDEM_API_KEY_RATE_LIMIT: 'off' }).perApiKey).toBeNull();
    for (const bad of ['10', '0/60', '10/0', 'ten/60'])
      expect(() => apiLimits({ IDEM_API_KEY_RATE_LIMIT: bad }), bad).toThrow(/is not <requests>\/<seconds>/);
  });

  it('customers: 6000 requests a minute unless IDEM_CUSTOMER_RATE_LIMIT says otherwise', () => {
    expect(apiLimits({}).perCustomer).toEqual({ points: 6000, seconds: 60 });
    expect(apiLimits({ IDEM_CUSTOMER_RATE_LIMIT: '3/60' }).perCustomer).toEqual({ points: 3, seconds: 60 });
  });
});
