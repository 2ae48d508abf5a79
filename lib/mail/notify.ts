import 'server-only';
import { authConfig } from '@/lib/auth/config';
import { db } from '@/lib/db/prisma';
import { noticeMail, type Notice, type Recipient } from '@/lib/mail/messages';
import { deliver } from '@/lib/mail/transport';
import { errorFields, log } from '@/lib/observability/log';

export type { Notice } from '@/lib/mail/messages';

/**
 * Tells a customer by email that something happened to their account (a new API key, a passkey, a
 * password change or reset, a large transfer, a webhook endpoint added or disabled). Call it AFTER
 * the change succeeded, and do not await it where the answer matters: it never throws, never
 * blocks the change, and logs a mail it could not send. `customer` is a user id or a name and address.
 */
export async function notifyCustomer(customer: string | Recipient, notice: Notice): Promise<void> {
  try {
    const recipient =
      typeof customer === 'string'
        ? await db().user.findUnique({ where: { id: customer }, select: { name: true, email: true } })
        : customer;
    if (!recipient) return;
    await deliver(noticeMail(recipient, notice, authConfig().baseURL), notice.kind);
  } catch (error) {
    log().error({ mail: notice.kind, ...errorFields(error) }, 'mail could not be sent');
  }
}
