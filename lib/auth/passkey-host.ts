// Passkeys (WebAuthn) need the page's host to be a domain name — `localhost` is one, `127.0.0.1`
// is not — and to be the relying party the server was configured with (BETTER_AUTH_URL's host).
// Pure, for the settings page's explanation.

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a Host header value (`127.0.0.1:3000`, `[::1]:3000`, `localhost`). */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.replace(/:\d+$/, '');
}

/** Why passkeys cannot work at this address, or null when they can. */
export function passkeyHostProblem(host: string | null, rpID: string): string | null {
  if (!host) return null;
  const name = hostName(host).toLowerCase();
  if (IPV4.test(name) || name.startsWith('['))
    return `Passkeys need a domain name, and this page is open at the IP address ${name}.`;
  if (name !== rpID && !name.endsWith(`.${rpID}`))
    return `Passkeys here are registered for ${rpID}, and this page is open at ${name}.`;
  return null;
}
