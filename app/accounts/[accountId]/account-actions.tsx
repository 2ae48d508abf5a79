'use client';

import { createContext, useState, type ReactNode } from 'react';
import { depositAction, transferAction, withdrawAction } from '@/app/actions';
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
 */
export function AccountActions({
  accountId,
  keys,
  opened,
  children,
}: {
  accountId: string;
  keys: { deposit: string; withdraw: string; transfer: string };
  opened: OpenedNotice | null;
  children: ReactNode;
}) {
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
  const highlight = active === 'opened' ? (opened?.highlight ?? null) : active ? forms[active].state.highlight : null;

  return (
    <HighlightContext value={highlight}>
      <div className="status-region" aria-live="polite">
        {active === 'opened' && opened ? (
          <p className="status status-success" data-testid="account-opened">
            {opened.message}
          </p>
        ) : null}
      </div>
      <div className="forms">
        <MoneyForm accountId={accountId} kind="Deposit" form={forms.Deposit} showResult={active === 'Deposit'} onSubmitStart={() => setChosen('Deposit')} />
        <MoneyForm accountId={accountId} kind="Withdraw" form={forms.Withdraw} showResult={active === 'Withdraw'} onSubmitStart={() => setChosen('Withdraw')} />
        <TransferForm accountId={accountId} form={forms.Transfer} showResult={active === 'Transfer'} onSubmitStart={() => setChosen('Transfer')} />
      </div>
      {children}
    </HighlightContext>
  );
}
