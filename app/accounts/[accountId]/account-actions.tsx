'use client';

import { useRouter } from 'next/navigation';
import { createContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { depositAction, transferAction, withdrawAction } from '@/app/accounts/actions';
import { useCommandForm } from '@/app/components/use-command-form';
import type { MoneyFormState, TransferFormState } from '@/lib/accounts/form-schemas';
import { MoneyForm } from './money-form';
import { TransferForm } from './transfer-form';

/** The history row to point at: the one the latest accepted command wrote. */
export const HighlightContext = createContext<number | null>(null);

type Active = 'opened' | 'Deposit' | 'Withdraw' | 'Transfer' | null;
export type OpenedNotice = { message: string; highlight: number | null };

const money = (commandId: string): MoneyFormState => ({ result: null, values: { amount: '' }, commandId, highlight: null });
const transfer = (commandId: string): TransferFormState => ({
  result: null,
  values: { toAccountNumber: '', amount: '' },
  commandId,
  highlight: null,
  review: null,
});

/**
 * Deposit, Withdraw and Transfer, and the one message that answers the latest of them: a new
 * submission anywhere clears the previous message everywhere. Each form's key comes from the server
 * (a fresh one per page render), so the forms post without JavaScript too.
 *
 * With JavaScript, the action's answer reaches the client before the refreshed page (balance,
 * history) that its revalidation sends: the router applies that in a transition, after. So a
 * confirmation waits until the page shows the version its command wrote (`version`, the server's),
 * and the message, the hero balance and the highlighted row appear in one render.
 */
export function AccountActions({
  accountId,
  version,
  keys,
  opened,
  children,
}: {
  accountId: string;
  /** The account's version the page was rendered from. */
  version: number;
  keys: { deposit: string; withdraw: string; transfer: string };
  opened: OpenedNotice | null;
  children: ReactNode;
}) {
  const router = useRouter();
  // Arriving from "Open account", the keyboard user's place is the confirmation of what they did.
  const openedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => openedRef.current?.focus(), []);
  const forms = {
    Deposit: useCommandForm(depositAction, money(keys.deposit)),
    Withdraw: useCommandForm(withdrawAction, money(keys.withdraw)),
    Transfer: useCommandForm(transferAction, transfer(keys.transfer)),
  };
  const [chosen, setChosen] = useState<Active | undefined>(undefined);
  // Posted without JavaScript, only the form that was posted has an answer: that one is current.
  const posted = (['Deposit', 'Withdraw', 'Transfer'] as const).find(
    (kind) => forms[kind].state.result !== null || (kind === 'Transfer' && forms.Transfer.state.review),
  );
  const active: Active = chosen !== undefined ? chosen : (posted ?? (opened ? 'opened' : null));
  const written = active && active !== 'opened' ? forms[active].state.highlight : null;
  const behind = written !== null && written > version;
  const highlight = active === 'opened' ? (opened?.highlight ?? null) : behind ? null : written;
  // The revalidation normally brings the new page with the answer; if it did not, ask for it.
  useEffect(() => {
    if (behind) router.refresh();
  }, [behind, router]);

  return (
    <HighlightContext value={highlight}>
      <div className="status-region" aria-live="polite">
        {active === 'opened' && opened ? (
          <p className="status status-success" data-testid="account-opened" ref={openedRef} tabIndex={-1}>
            {opened.message}
          </p>
        ) : null}
      </div>
      <div className="forms">
        <MoneyForm
          accountId={accountId}
          kind="Deposit"
          form={forms.Deposit}
          showResult={active === 'Deposit' && !behind}
          onSubmitStart={() => setChosen('Deposit')}
        />
        <MoneyForm
          accountId={accountId}
          kind="Withdraw"
          form={forms.Withdraw}
          showResult={active === 'Withdraw' && !behind}
          onSubmitStart={() => setChosen('Withdraw')}
        />
        <TransferForm accountId={accountId} form={forms.Transfer} showResult={active === 'Transfer' && !behind} onSubmitStart={() => setChosen('Transfer')} />
      </div>
      {children}
    </HighlightContext>
  );
}
