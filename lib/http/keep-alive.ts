// How long a `next start` instance keeps an idle connection open: longer than HAProxy's idle
// timeouts (ops/haproxy.cfg) and the usual 60 s of cloud load balancers. Node's default (5 s) closes
// connections that a client or a balancer still holds in its pool: the next request sent on one
// meets ECONNRESET, and a burst after a pause opens new connections instead of reusing them.
const KEEP_ALIVE_MS = 65_000;

/** The `next start` flag that sets it. */
export const keepAliveArgs = (): string[] => ['--keepAliveTimeout', String(KEEP_ALIVE_MS)];
