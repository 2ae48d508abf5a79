import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { revokeApiKeyAction } from '@/app/settings/api-keys/actions';
import { CreateKeyForm } from '@/app/settings/api-keys/create-key-form';
import { auth } from '@/lib/auth/auth';
import { requireCustomer } from '@/lib/auth/customer';
import { keyScopes } from '@/lib/auth/policy';
import { hasFreshSignIn } from '@/lib/auth/reauthenticate';
import { ConfirmSubmit } from '@/app/components/confirm-submit';
import { LocalTime } from '@/app/components/local-time';

export const metadata: Metadata = { title: 'API keys · Idem' };

const KEYS_SHOWN = 100;
/** An expired key is refused at once; better-auth deletes it a little later. */
const hasPassed = (date: Date) => date.getTime() <= Date.now();

export default async function ApiKeysPage() {
  await requireCustomer('/settings/api-keys');
  // Newest first, at most KEYS_SHOWN: a customer may create any number of keys.
  const [{ apiKeys, total }, fresh] = await Promise.all([
    auth().api.listApiKeys({
      headers: await headers(),
      query: { sortBy: 'createdAt', sortDirection: 'desc', limit: KEYS_SHOWN },
    }),
    hasFreshSignIn(),
  ]);

  return (
    <>
      <p className="breadcrumb">
        <Link href="/settings">← Settings</Link>
      </p>
      <h1>API keys</h1>
      <p className="muted">
        A program acts as you with <code>Authorization: Bearer &lt;key&gt;</code> on the JSON API. Keys are stored
        hashed; revoking one takes effect at once. A key expires after the time you choose (at most a year); a read-only
        key cannot move money.
      </p>
      <CreateKeyForm needsPassword={!fresh} keyIds={apiKeys.map((k) => k.id)} />
      <h2 id="keys-heading">Your keys</h2>
      {apiKeys.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : (
        // Five columns do not fit a phone: there each key is a card, its cells labelled (table.stack).
        <div className="table-scroll" role="region" aria-labelledby="keys-heading" tabIndex={0}>
          <table className="stack" aria-labelledby="keys-heading">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Access</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {apiKeys.map((key) => (
                <tr key={key.id} data-testid="api-key-row">
                  <td data-label="Name">{key.name}</td>
                  <td data-label="Key">
                    <code>{key.start}…</code>
                  </td>
                  <td data-label="Access">
                    {keyScopes(key.permissions).includes('write') ? 'read and write' : 'read only'}
                  </td>
                  <td data-label="Created">
                    <LocalTime iso={new Date(key.createdAt).toISOString()} />
                  </td>
                  <td data-label="Expires" data-testid="api-key-expires">
                    {key.expiresAt ? (
                      <>
                        {hasPassed(new Date(key.expiresAt)) ? 'expired ' : null}
                        <LocalTime iso={new Date(key.expiresAt).toISOString()} />
                      </>
                    ) : (
                      'never'
                    )}
                  </td>
                  <td data-label="Last used">
                    {key.lastRequest ? <LocalTime iso={new Date(key.lastRequest).toISOString()} /> : 'never'}
                  </td>
                  <td>
                    <ConfirmSubmit
                      action={revokeApiKeyAction}
                      fields={{ keyId: key.id }}
                      title={`Revoke “${key.name}”?`}
                      description="Programs using this key are refused from the next request, on every instance. This cannot be undone: you would create a new key."
                      confirm="Revoke key"
                    >
                      Revoke<span className="visually-hidden"> {key.name}</span>
                    </ConfirmSubmit>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > apiKeys.length ? (
        <p className="muted">
          The newest {apiKeys.length} of your {total} keys are shown: revoke keys you no longer use.
        </p>
      ) : null}
    </>
  );
}
