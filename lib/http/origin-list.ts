// Origins as text: parsing only, no configuration (lib/config.ts validates with it, so it imports
// nothing of Idem's). Relative imports only: next.config.ts loads this file without the path alias.

export const originList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** `scheme://host[:port]` of an http(s) URL (lower-case host, default port dropped), or an Error naming the variable. */
export function parseOrigin(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}: "${value}" is not a URL like https://bank.example`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${name}: "${value}" must be an http(s) URL`);
  return url.origin;
}
