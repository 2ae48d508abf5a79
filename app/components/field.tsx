import type { InputHTMLAttributes, ReactNode } from 'react';

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  id: string;
  label: string;
  /** When the visible label is shared by several fields on a page ("Amount"), the name that tells them apart. */
  accessibleName?: string;
  error?: string;
  hint?: string;
};

type FrameProps = {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: (aria: FieldAria) => ReactNode;
};
type FieldAria = { 'aria-invalid': true | undefined; 'aria-describedby': string | undefined };

/**
 * The label, hint and error around one input, and the aria attributes that tie them to it: the
 * one place Field and PasswordField say how an error is announced.
 */
export function FieldFrame({ id, label, error, hint, children }: FrameProps) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {children({ 'aria-invalid': error ? true : undefined, 'aria-describedby': described || undefined })}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled input whose error is announced and tied to it (aria-invalid, aria-describedby). */
export function Field({ id, label, accessibleName, error, hint, ...input }: FieldProps) {
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      {(aria) => <input id={id} aria-label={accessibleName} {...aria} {...input} />}
    </FieldFrame>
  );
}
