'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * Copies `value` to the clipboard. Rendered only once JavaScript runs (a button that cannot work
 * is worse than none); the value itself is always on the page, in full, for selecting by hand.
 */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  if (!hydrated) return null;
  const copy = () =>
    navigator.clipboard.writeText(value).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <button type="button" className="copy" onClick={copy}>
      <span aria-live="polite">{copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}</span>
      <span className="visually-hidden"> {what}</span>
    </button>
  );
}
