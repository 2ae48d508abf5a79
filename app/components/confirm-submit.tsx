'use client';

import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useRef, type ComponentProps, type ReactNode } from 'react';
import { useHydrated } from '@/app/components/use-command-form';

/**
 * A destructive form's submit button that asks first, in a Radix alert dialog (focus starts on
 * Cancel, Escape cancels, focus returns to the button). Without JavaScript the dialog could not
 * open, so the plain submit button is served and works as before.
 */
export function ConfirmSubmit({
  action,
  fields,
  children,
  title,
  description,
  confirm,
}: {
  action: (form: FormData) => Promise<void>;
  fields: Record<string, string>;
  children: ReactNode;
  title: string;
  description: string;
  confirm: string;
}) {
  const hydrated = useHydrated();
  const formRef = useRef<HTMLFormElement>(null);
  return (
    <form action={action} ref={formRef}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {hydrated ? (
        <ConfirmDialog
          title={title}
          description={description}
          confirm={confirm}
          onConfirm={() => formRef.current?.requestSubmit()}
        >
          {children}
        </ConfirmDialog>
      ) : (
        <button type="submit" className="danger">
          {children}
        </button>
      )}
    </form>
  );
}

/**
 * The one confirmation dialog (Radix alert dialog): `children` label the trigger, `confirm` the
 * button that does it (the customer pages and the admin console alike). The admin console passes
 * a trigger that stays put while its form is pending.
 */
export function ConfirmDialog({
  children,
  title,
  description,
  confirm,
  onConfirm,
  trigger = { className: 'danger' },
}: {
  children: ReactNode;
  title: ReactNode;
  description: ReactNode;
  confirm: ReactNode;
  onConfirm: () => void;
  trigger?: ComponentProps<typeof AlertDialog.Trigger>;
}) {
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger {...trigger}>{children}</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="dialog-overlay" />
        <AlertDialog.Content className="dialog">
          <AlertDialog.Title>{title}</AlertDialog.Title>
          <AlertDialog.Description>{description}</AlertDialog.Description>
          <div className="button-row">
            <AlertDialog.Cancel className="secondary">Cancel</AlertDialog.Cancel>
            <AlertDialog.Action className="danger" onClick={onConfirm}>
              {confirm}
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
