// Set by openAccountAction, read by the account page: "this browser just opened this account", so
// the page it lands on confirms it. Scoped to that account's path; it lapses by itself, and the
// page stops showing it as soon as anything else happens in the account.
export const OPENED_COOKIE = 'idem-opened';
