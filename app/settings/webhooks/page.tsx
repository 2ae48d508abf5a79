import type { Metadata } from 'next';
import Link from 'next/link';
import { randomUUID } from 'node:crypto';
import { requireCustomer } from '@/lib/auth/customer';
import { endpointsWithDeliveries, MAX_ENDPOINTS_PER_CUSTOMER } from '@/lib/webhooks';
import { ConfirmSubmit } from '@/app/components/confirm-submit';
import { LocalTime } from '@/app/components/local-time';
import {
  deleteEndpointAction,
  resendAction,
  sendTestEventAction,
  setEnabledAction,
} from '@/app/settings/webhooks/actions';
import { AddEndpointForm, ReplayForm, RotateSecretForm } from '@/app/settings/webhooks/secret-forms';

export const metadata: Metadata = { title: 'Webhooks · Idem' };

const STATUS_TEXT = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' } as const;

export default async function WebhooksPage() {
  const customer = await requireCustomer('/settings/webhooks');
  const endpoints = await endpointsWithDeliveries(customer.id);
  return (
    <>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/settings">← Settings</Link>
      </nav>
      <h1>Webhooks</h1>
      <p className="muted">
        Every event of your accounts — opened, deposits, withdrawals, transfers sent and received — is POSTed to your
        endpoints, signed per the Standard Webhooks specification, at least once and in order per account. Up to{' '}
        {MAX_ENDPOINTS_PER_CUSTOMER} endpoints.
      </p>
      <AddEndpointForm formKey={randomUUID()} />
      <h2>Your endpoints</h2>
      {endpoints.length === 0 ? <p className="muted">No endpoints yet.</p> : null}
      {endpoints.map((endpoint) => {
        const heading = `endpoint-${endpoint.id}`;
        return (
          <section key={endpoint.id} className="card" aria-labelledby={heading} data-testid="webhook-endpoint">
            <h3 id={heading} className="webhook-url">
              <code>{endpoint.url}</code>
            </h3>
            <p data-testid="webhook-endpoint-status">
              {endpoint.enabled ? 'Enabled' : 'Disabled'}
              {endpoint.disabledReason ? ` — ${endpoint.disabledReason}` : ''}
              {endpoint.eventTypes.length > 0 ? ` · only ${endpoint.eventTypes.join(', ')}` : ' · every event type'}
            </p>
            <div className="actions-row">
              <form action={sendTestEventAction}>
                <input type="hidden" name="endpointId" value={endpoint.id} />
                <button type="submit" className="secondary">
                  Send test event<span className="visually-hidden"> to {endpoint.url}</span>
                </button>
              </form>
              <RotateSecretForm endpointId={endpoint.id} formKey={randomUUID()} url={endpoint.url} />
              <form action={setEnabledAction}>
                <input type="hidden" name="endpointId" value={endpoint.id} />
                <input type="hidden" name="enabled" value={endpoint.enabled ? 'false' : 'true'} />
                <button type="submit" className="secondary">
                  {endpoint.enabled ? 'Disable' : 'Enable'}
                  <span className="visually-hidden"> {endpoint.url}</span>
                </button>
              </form>
              <ConfirmSubmit
                action={deleteEndpointAction}
                fields={{ endpointId: endpoint.id }}
                title={`Delete ${endpoint.url}?`}
                description="Nothing more is sent to it, and its deliveries are forgotten. This cannot be undone."
                confirm="Delete endpoint"
              >
                Delete<span className="visually-hidden"> {endpoint.url}</span>
              </ConfirmSubmit>
            </div>
            <ReplayForm endpointId={endpoint.id} formKey={randomUUID()} />
            <h4 id={`${heading}-deliveries`}>Recent deliveries</h4>
            {endpoint.deliveries.length === 0 ? (
              <p className="muted">None yet.</p>
            ) : (
              <div className="table-scroll" role="region" aria-labelledby={`${heading}-deliveries`} tabIndex={0}>
                <table className="stack" aria-labelledby={`${heading}-deliveries`}>
                  <thead>
                    <tr>
                      <th scope="col">Event</th>
                      <th scope="col">Status</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">Last response</th>
                      <th scope="col">Time</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {endpoint.deliveries.map((delivery) => (
                      <tr key={delivery.id} data-testid="webhook-delivery">
                        <td data-label="Event">{delivery.eventType}</td>
                        <td data-label="Status" data-testid="webhook-delivery-status">
                          {STATUS_TEXT[delivery.status]}
                        </td>
                        <td data-label="Attempts">{delivery.attempts}</td>
                        <td data-label="Last response">
                          {delivery.lastStatusCode ?? (delivery.lastError ? delivery.lastError : '—')}
                        </td>
                        <td data-label="Time">
                          {delivery.lastAttemptAt ? <LocalTime iso={delivery.lastAttemptAt} /> : '—'}
                        </td>
                        <td>
                          <form action={resendAction}>
                            <input type="hidden" name="endpointId" value={endpoint.id} />
                            <input type="hidden" name="deliveryId" value={delivery.id} />
                            <button type="submit" className="secondary">
                              Resend<span className="visually-hidden"> {delivery.eventType}</span>
                            </button>
                          </form>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        );
      })}
    </>
  );
}
