import Bowser from 'bowser';

/**
 * What a person calls the browser behind a session: "Chrome 131 on Linux", "Safari on iPhone".
 * From the User-Agent header better-auth stored with the session (bowser); "Unknown browser" when
 * there is none or it names nothing known.
 */
export function deviceName(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown browser';
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name ? [parsed.browser.name, major].filter(Boolean).join(' ') : null;
  const device =
    parsed.platform.type === 'mobile' || parsed.platform.type === 'tablet'
      ? (parsed.platform.model ?? parsed.os.name)
      : parsed.os.name;
  if (!browser) return device ? `Unknown browser on ${device}` : 'Unknown browser';
  return device ? `${browser} on ${device}` : browser;
}
