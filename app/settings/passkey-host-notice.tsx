'use client';

import { useSyncExternalStore } from 'react';
import { passkeyHostProblem } from '@/lib/auth/passkey-host';

const noSubscribe = () => () => {};

/**
 * Why passkeys cannot work at the address in the browser's address bar (an IP address, another host
 * than the relying party), and where to go instead. Read in the browser: the server cannot know the
 * address the page was opened at (behind a proxy, or when a server action's redirect renders it).
 * Without JavaScript there are no passkeys anyway. `children` (the passkey control) is shown otherwise.
 */
export function PasskeyHostNotice({
  rpID,
  appUrl,
  children,
}: {
  rpID: string;
  appUrl: string;
  children: React.ReactNode;
}) {
  const problem = useSyncExternalStore(
    noSubscribe,
    () => passkeyHostProblem(window.location.host, rpID),
    () => null,
  );
  if (!problem) return <>{children}</>;
  return (
    <p className="status status-rejected" data-testid="passkey-host-problem">
      {problem} Open <a href={`${appUrl}/settings`}>{appUrl}/settings</a> to add or use a passkey.
    </p>
  );
}
