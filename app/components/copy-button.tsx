'use client';

import { useEffect, useState } from 'react';
import { useHydrated } from '@/app/components/use-command-form';

/**
 * Copies `text` to the clipboard and says so in a live region. Without JavaScript it cannot work, so
 * it is not shown at all (the text itself stays selectable).
 */
export function CopyButton({
  text,
  label,
  done,
  failed = 'Could not copy: select the number and copy it instead.',
}: {
  text: string;
  label: string;
  done: string;
  failed?: string;
}) {
  const hydrated = useHydrated();
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 4000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard access (an insecure origin, a refused permission)
    }
  };

  return (
    <span className="copy-control">
      {hydrated ? (
        <button type="button" className="link-button" onClick={() => void copy()} aria-label={label}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      ) : null}
      <span aria-live="polite" className={copied === false ? 'copy-message' : 'visually-hidden'}>
        {copied === true ? done : copied === false ? failed : ''}
      </span>
    </span>
  );
}
