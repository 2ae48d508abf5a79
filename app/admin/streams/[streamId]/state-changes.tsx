import { formatUtc } from '@/app/admin/components/utc-time';
import type { AccountOwner } from '@/lib/admin/account-owners';
import type { FieldChange, StateField } from '@/lib/admin/time-travel';
import { formatAccountNumber } from '@/lib/accounts/domain/account-number';
import { formatUsd } from '@/lib/domain/money';

// How the stream page writes an aggregate's fields and what an event changed in them.

export const FIELD_LABELS: Record<StateField, string> = {
  status: 'Status',
  accountNumber: 'Account number',
  owner: 'Account name',
  customerId: 'Customer',
  balanceCents: 'Balance',
  openedAt: 'Opened',
};

/** One field's value as people read it; the customer by name when it is the account's owner. */
export function fieldText(field: StateField, value: string | number | null, owner: AccountOwner | null): string {
  if (value === null) return '—';
  switch (field) {
    case 'balanceCents':
      return formatUsd(Number(value));
    case 'accountNumber':
      return formatAccountNumber(String(value));
    case 'openedAt':
      return formatUtc(new Date(String(value)));
    case 'customerId':
      return owner?.customer && owner.customer.id === value
        ? `${owner.customer.name} (${owner.customer.email})`
        : String(value);
    case 'status':
    case 'owner':
      return String(value);
  }
}

/** "Balance: $200.00 → $187.66 (−$12.34)", one line per changed field. */
export function StateChanges({ changes, owner }: { changes: FieldChange[]; owner: AccountOwner | null }) {
  if (changes.length === 0) return <span className="muted">no change</span>;
  return (
    <ul className="changes">
      {changes.map(({ field, before, after }) => {
        const delta =
          field === 'balanceCents' && typeof before === 'number' && typeof after === 'number' ? after - before : null;
        return (
          <li key={field}>
            <span className="change-field">{FIELD_LABELS[field]}:</span> {fieldText(field, before, owner)} →{' '}
            {fieldText(field, after, owner)}
            {delta ? (
              <span className={delta > 0 ? 'change-up' : 'change-down'}>
                {' '}
                ({delta > 0 ? '+' : '−'}
                {formatUsd(Math.abs(delta))})
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
