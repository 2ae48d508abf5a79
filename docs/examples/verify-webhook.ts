// Receiving Idem's webhooks in TypeScript (docs/webhooks.md): verify the signature with the Standard
// Webhooks reference library, apply each event once by its id, answer 2xx quickly. Typechecked with
// the project; `npm install standardwebhooks` in your own.
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** The body of a delivery: `{type, timestamp, data}` (the public, versioned event schema). */
type IdemEvent = {
  type:
    'account.opened' | 'money.deposited' | 'money.withdrawn' | 'transfer.sent' | 'transfer.received' | 'webhook.test';
  timestamp: string;
  data: { eventId: string; accountId?: string; version?: number; amount?: string; balance?: string };
};

// The secret shown once when you added the endpoint (`whsec_…`). During a rotation, deliveries are
// signed with the new and the previous secret: verifying with either works.
const webhook = new Webhook(process.env.IDEM_WEBHOOK_SECRET ?? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');

// Remember ids in your own database, in the same transaction as the effect (a Set only shows the idea).
const applied = new Set<string>();

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    // Verify the raw bytes, before any JSON parsing: a re-serialized body would not match.
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    let event: IdemEvent;
    try {
      event = webhook.verify(raw, headers) as IdemEvent; // also refuses timestamps more than 5 minutes off
    } catch (error) {
      response.writeHead(error instanceof WebhookVerificationError ? 400 : 500).end();
      return;
    }
    // A retry or a replay carries the same webhook-id: apply it once, acknowledge it every time.
    if (!applied.has(headers['webhook-id'])) {
      applied.add(headers['webhook-id']);
      console.log(`${event.type} on ${event.data.accountId ?? 'no account'}: ${event.data.amount ?? ''}`);
    }
    response.writeHead(204).end();
  });
}).listen(8080, '127.0.0.1');
