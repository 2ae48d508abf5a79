'use client';

import { useState, type InputHTMLAttributes } from 'react';
import { FieldFrame } from '@/app/components/field';
import { useHydrated } from '@/app/components/use-command-form';

type PasswordFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> & {
  id: string;
  label: string;
  error?: string;
  hint?: string;
};

/**
 * A labelled password input (errors announced as in Field) with a "Show password" toggle. The toggle
 * needs JavaScript, so the server renders none: without JavaScript the field is a plain password
 * input. The button keeps its place and the focus when pressed; aria-pressed says the state.
 */
export function PasswordField({ id, label, error, hint, ...input }: PasswordFieldProps) {
  const hydrated = useHydrated();
  const [shown, setShown] = useState(false);
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      {(aria) => (
        <div className="password-input">
          <input
            id={id}
            type={shown ? 'text' : 'password'}
            {...aria}
            // Spell-check and autocorrect would read (and send) the password once it is text.
            spellCheck={false}
            autoCapitalize="none"
            autoCorrect="off"
            {...input}
          />
          {hydrated ? (
            <button
              type="button"
              className="secondary"
              aria-controls={id}
              aria-pressed={shown}
              onClick={() => setShown((value) => !value)}
            >
              Show password
            </button>
          ) : null}
        </div>
      )}
    </FieldFrame>
  );
}
