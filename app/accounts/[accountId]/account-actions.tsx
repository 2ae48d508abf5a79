'use client';

import { useRouter } from 'next/navigation';
import * as Dialog from '@radix-ui/react-dialog';
import { createContext, use, useEffect, useRef, useState, type ReactNode } from 'react';
import { depositAction, transferAction, withdrawAction } from '@/app/accounts/actions';
import { useCommandForm, useHydrated } from '@/app/components/use-command-form';
import type { MoneyFormState, TransferFormState } from '@/lib/accounts/form-schemas';
import { AccountUpdatesContext } from './live-updates';
import { MoneyForm } from './money-form';
import { TransferForm } from './transfer-form';

/** How long an answer waits for the page its action revalidated before asking for it. */
const CATCH_UP_MS = 1_500;

/** The history row to point at: the one the latest accepted command wrote. */
export const HighlightContext = createContext<number | null>(null);

const ACTIONS = ['Deposit', 'Withdraw', 'Transfer'] as const;
export type ActionKind = (typeof ACTIONS)[number];
type Active = 'opened' | ActionKind | null;
/** Each action's own page: where its link leads without JavaScript. */
const actionPath = (accountId: string, kind: ActionKind) => `/accounts/${accountId}/${kind.toLowerCase()}`;
export type OpenedNotice = { message: string; highlight: number | null };

const money = (commandId: string): MoneyFormState => ({
  result: null,
  values: { amount: '' },
  commandId,
  highlight: null,
  update: null,
});
const transfer = (commandId: string): TransferFormState => ({
  result: null,
  values: { toAccountNumber: '', amount: '', reference: '' },
  commandId,
  highlight: null,
  review: null,
  update: null,
});

/**
 * Deposit, Withdraw and Transfer, and the one message that answers the latest of them: a new
 * submission anywhere clears the previous message everywhere. Each form's key comes from the server
 * (a fresh one per page render), so the forms post without JavaScript too.
 *
 * On the account page the actions are a row of buttons, each opening its form in a dialog (one at a
 * time; Radix: focus moves into the form, Escape or "Close" returns it to the button, the page behind
 * is inert), so the balance and the history stay on the first screen of a phone. Without JavaScript
 * the same row is links to each action's own page (`only`), which renders just that form.
 *
 * With JavaScript, an answer carries what its command changed, shown at once (LiveUpdates); when
 * the page is behind it, or the answer carries the page instead (a replayed outcome), that page
 * comes just after the answer. So a confirmation waits until the page shows the version its command
 * wrote, and the message, the hero balance and the highlighted row appear in one render.
 */
export function AccountActions({
  accountId,
  version,
  keys,
  opened,
  only,
  children,
}: {
  accountId: string;
  /** The account's version the page was rendered from. */
  version: number;
  keys: { deposit: string; withdraw: string; transfer: string };
  opened: OpenedNotice | null;
  /** On an action's own page: that form alone, always shown. */
  only?: ActionKind;
  children?: ReactNode;
}) {
  const hydrated = useHydrated();
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
  const [expanded, setExpanded] = useState<ActionKind | null>(null);
  // Posted without JavaScript, only the form that was posted has an answer: that one is current.
  const posted = (['Deposit', 'Withdraw', 'Transfer'] as const).find(
    (kind) => forms[kind].state.result !== null || (kind === 'Transfer' && forms.Transfer.state.review),
  );
  const active: Active = chosen !== undefined ? chosen : (posted ?? (opened ? 'opened' : null));
  const written = active && active !== 'opened' ? forms[active].state.highlight : null;
  // What the page shows: its render, or what its own latest action changed (LiveUpdates).
  const shown = Math.max(version, use(AccountUpdatesContext).version);
  const behind = written !== null && written > shown;
  const highlight = active === 'opened' ? (opened?.highlight ?? null) : behind ? null : written;
  // The revalidation brings the new page with the answer, applied in a transition just after it;
  // only if it has not arrived a moment later, ask for it (at once would render the page twice).
  useEffect(() => {
    if (!behind) return;
    const timer = setTimeout(() => router.refresh(), CATCH_UP_MS);
    return () => clearTimeout(timer);
  }, [behind, router]);

  const formOf = (kind: ActionKind) =>
    kind === 'Transfer' ? (
      <TransferForm
        accountId={accountId}
        form={forms.Transfer}
        showResult={active === 'Transfer' && !behind}
        onSubmitStart={() => setChosen('Transfer')}
      />
    ) : (
      <MoneyForm
        accountId={accountId}
        kind={kind}
        form={forms[kind]}
        showResult={active === kind && !behind}
        onSubmitStart={() => setChosen(kind)}
      />
    );

  return (
    <HighlightContext value={highlight}>
      <div className="status-region" aria-live="polite">
        {active === 'opened' && opened ? (
          <p className="status status-success" data-testid="account-opened" ref={openedRef} tabIndex={-1}>
            {opened.message}
          </p>
        ) : null}
      </div>
      {only ? (
        <div className="forms">{formOf(only)}</div>
      ) : hydrated ? (
        <div role="group" aria-label="Account actions" className="quick-actions">
          {ACTIONS.map((kind) => (
            <Dialog.Root key={kind} open={expanded === kind} onOpenChange={(open) => setExpanded(open ? kind : null)}>
              <Dialog.Trigger className="action-opener">{kind}</Dialog.Trigger>
              <Dialog.Portal>
                <Dialog.Overlay className="action-overlay" />
                <Dialog.Content className="action-dialog" aria-describedby={undefined}>
                  <Dialog.Title className="action-dialog-title">{kind}</Dialog.Title>
                  {formOf(kind)}
                  <Dialog.Close className="secondary action-close">Close</Dialog.Close>
                </Dialog.Content>
              </Dialog.Portal>
            </Dialog.Root>
          ))}
        </div>
      ) : (
        <nav aria-label="Account actions" className="quick-actions">
          {ACTIONS.map((kind) => (
            <a key={kind} href={actionPath(accountId, kind)} className="action-opener">
              {kind}
            </a>
          ))}
        </nav>
      )}
      {children}
    </HighlightContext>
  );
}
