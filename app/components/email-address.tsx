/**
 * An email address that may break only right after its '@' (a <wbr>), never mid-word: on a phone a
 * long address wraps as "ada.lovelace@" / "example.com" instead of at whatever letter hits the edge.
 */
export function EmailAddress({ email, className }: { email: string; className?: string }) {
  const at = email.lastIndexOf('@');
  const cls = ['email', className].filter(Boolean).join(' ');
  if (at <= 0) return <span className={cls}>{email}</span>;
  return (
    <span className={cls}>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </span>
  );
}
