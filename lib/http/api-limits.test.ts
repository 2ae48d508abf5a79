import { describe, expect, it } from 'vitest';
import { apiLimits } from '@/lib/http/api-limits';

describe('API budgets from the environment', () => {
  it('API keys: 1000 requests a minute unless IDEM_API_KEY_RATE_LIMIT says otherwise; off turns the budget off', () => {
    expect(apiLimits({}).perApiKey).toEqual({ points: 1000, seconds: 60 });
    expect(apiLimits({ IDEM_API_KEY_RATE_LIMIT: '50/1' }).perApiKey).toEqual({ points: 50, seconds: 1 });
    expect(apiLimits({ IDEM_API_KEY_RATE_LIMIT: 'off' }).perApiKey).toBeNull();
    for (const bad of ['10', '0/60', '10/0', 'ten/60']) expect(() => apiLimits({ IDEM_API_KEY_RATE_LIMIT: bad }), bad).toThrow(/is not <requests>\/<seconds>/);
  });

  it('customers: 6000 requests a minute unless IDEM_CUSTOMER_RATE_LIMIT says otherwise', () => {
    expect(apiLimits({}).perCustomer).toEqual({ points: 6000, seconds: 60 });
    expect(apiLimits({ IDEM_CUSTOMER_RATE_LIMIT: '3/60' }).perCustomer).toEqual({ points: 3, seconds: 60 });
  });
});
