// The account page's "Statements" section: the monthly statements the statements consumer built
// from the JetStream stream (lib/statements), each month's figures and its CSV. It says when the
// statements have not caught up with the ledger yet (the consumer follows the stream, which follows
// the log). Shown only where the stream runs (NATS_URL) and the consumer has made its tables.
import { loadConfig } from '@/lib/config';
import { formatUsd } from '@/lib/domain/money';
import { listStatements } from '@/lib/statements/queries';

const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export async function StatementsSection({ accountId, version }: { accountId: string; version: number }) {
  if (!loadConfig().NATS_URL) return null;
  const found = await listStatements(accountId);
  const behind = found ? version - (found.appliedVersion ?? 0) : null;
  return (
    <section aria-labelledby="statements-heading" className="statements">
      <h2 id="statements-heading">Statements</h2>
      {found === null ? (
        <p className="muted">Statements are not available yet.</p>
      ) : (
        <>
          {behind !== null && behind > 0 ? (
            <p role="status" className="status" data-testid="statements-behind">
              Statements are behind the ledger: the latest{' '}
              {behind === 1 ? 'transaction is' : `${behind} transactions are`} not in them yet.
            </p>
          ) : null}
          {found.statements.length === 0 ? (
            <p className="muted">No statements yet.</p>
          ) : (
            <div className="table-scroll">
              <table>
                <caption className="visually-hidden">Monthly statements</caption>
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col">Opening balance</th>
                    <th scope="col">Credits</th>
                    <th scope="col">Debits</th>
                    <th scope="col">Closing balance</th>
                    <th scope="col">CSV</th>
                  </tr>
                </thead>
                <tbody>
                  {found.statements.map((s) => (
                    <tr key={s.month} data-testid={`statement-${s.month}`}>
                      <th scope="row">{monthName(s.month)}</th>
                      <td>{formatUsd(s.openingCents)}</td>
                      <td>{formatUsd(s.creditsCents)}</td>
                      <td>{formatUsd(s.debitsCents)}</td>
                      <td>{formatUsd(s.closingCents)}</td>
                      <td>
                        <a
                          href={`/accounts/${accountId}/statements/${s.month}`}
                          download={`statement-${s.month}.csv`}
                          aria-label={`Download the ${monthName(s.month)} statement (CSV)`}
                        >
                          Download
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
