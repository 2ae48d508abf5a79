// An account id is a UUID, lower-cased once where it enters the system; everything after that
// compares and stores the branded value, never a raw string.

declare const brand: unique symbol;
export type AccountId = string & { readonly [brand]: 'AccountId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseAccountId(value: string): AccountId | null {
  return UUID.test(value) ? (value.toLowerCase() as AccountId) : null;
}

export const isAccountId = (value: string): boolean => UUID.test(value);
