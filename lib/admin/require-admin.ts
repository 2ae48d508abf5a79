import 'server-only';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { currentCustomer, identifyRequest, type Customer } from '@/lib/auth/customer';
import { keyBudgetRefusal } from '@/lib/http/api-limits';
import { noEndpoint } from '@/lib/http/problem';

// Admins are users with role `admin` (better-auth's admin plugin; `npm run admin:create`). To
// everyone else, signed in or not, the admin area does not exist: pages and server actions answer
// Next's 404 page, route handlers the same 404 problem as an unknown API path. Every admin page,
// server action and route handler calls one of these itself: a server action can be POSTed to any
// path, so a check in a layout or proxy.ts would not cover it.

/** One session lookup per request, however many of the layout, page and components ask. */
const requestCustomer = cache(currentCustomer);

/** For admin pages and server actions: the admin, or Next's 404. */
export async function requireAdmin(): Promise<Customer> {
  const customer = await requestCustomer();
  if (customer?.role === 'admin') return customer;
  notFound();
}

/** For admin route handlers: an admin's session cookie or API key (Bearer), or the 404 response. */
export async function requireAdminRequest(
  request: Request,
): Promise<{ ok: true; admin: Customer } | { ok: false; response: Response }> {
  const identity = await identifyRequest(request);
  if (identity.status === 'customer' && identity.customer.role === 'admin') {
    const overKey = await keyBudgetRefusal(identity);
    return overKey ? { ok: false, response: overKey } : { ok: true, admin: identity.customer };
  }
  return { ok: false, response: noEndpoint() };
}
