'use client';

import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';
import { useHydrated } from '@/app/components/use-command-form';

/**
 * "New standing order": with JavaScript a button that opens the form in a dialog (as Deposit,
 * Withdraw and Transfer do); without it, a link to the form's own page.
 */
export function NewStandingOrder({ href, children }: { href: string; children: ReactNode }) {
  const hydrated = useHydrated();
  if (!hydrated)
    return (
      <a href={href} className="action-opener">
        New standing order
      </a>
    );
  return (
    <Dialog.Root>
      <Dialog.Trigger className="action-opener">New standing order</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="action-overlay" />
        <Dialog.Content className="action-dialog" aria-describedby={undefined}>
          <Dialog.Title className="action-dialog-title">New standing order</Dialog.Title>
          {children}
          <Dialog.Close className="secondary action-close">Close</Dialog.Close>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
