// A statement as CSV (RFC 4180): the figures first, then one line per movement. Pure.
import { formatDecimal } from '@/lib/domain/money';
import type { StatementMovement, StatementSummary } from './queries';

const LABEL: Record<string, string> = {
  'money.deposited': 'Deposit',
  'money.withdrawn': 'Withdrawal',
  'transfer.sent': 'Transfer sent',
  'transfer.received': 'Transfer received',
};
const CREDITS = new Set(['money.deposited', 'transfer.received']);

const cell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const line = (values: string[]) => values.map(cell).join(',');

export function statementCsv(accountNumber: string, summary: StatementSummary, movements: StatementMovement[]): string {
  const lines = [
    line(['Account', 'Month', 'Opening balance', 'Credits', 'Debits', 'Closing balance', 'Currency']),
    line([
      accountNumber,
      summary.month,
      formatDecimal(summary.openingCents),
      formatDecimal(summary.creditsCents),
      formatDecimal(summary.debitsCents),
      formatDecimal(summary.closingCents),
      'USD',
    ]),
    '',
    line(['Date (UTC)', 'Description', 'Counterparty', 'Reference', 'Amount', 'Balance']),
    ...movements.map((m) =>
      line([
        m.at.toISOString(),
        LABEL[m.kind] ?? m.kind,
        m.counterparty ?? '',
        m.reference ?? '',
        (CREDITS.has(m.kind) ? '' : '-') + formatDecimal(m.amountCents),
        formatDecimal(m.balanceAfterCents),
      ]),
    ),
  ];
  return lines.join('\r\n') + '\r\n';
}
