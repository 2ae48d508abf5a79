import 'server-only';
import type { Customer } from '@/lib/auth/customer';
import { db } from '@/lib/db/prisma';

// Who did what in the console. Every change an admin makes through it writes one row naming the
// admin (their id and email at the time), shown on /admin/audit. The table is append-only
// (migration 20261206100000: a trigger refuses UPDATE and DELETE).

export type AdminAction = 'customer.disable' | 'customer.enable' | 'projection.rebuild';

export async function recordAdminAction(
  admin: Customer,
  action: AdminAction,
  target: string,
  detail = '',
): Promise<void> {
  await db().adminAuditEntry.create({ data: { adminId: admin.id, adminEmail: admin.email, action, target, detail } });
}

export type AuditEntry = { id: string; at: Date; adminEmail: string; action: string; target: string; detail: string };

const AUDIT_PAGE_SIZE = 100;

/** The newest entries first; `before` is the id of the last entry of the previous page. */
export async function listAdminActions(before?: bigint): Promise<{ entries: AuditEntry[]; nextBefore: string | null }> {
  const rows = await db().adminAuditEntry.findMany({
    where: before === undefined ? {} : { id: { lt: before } },
    orderBy: { id: 'desc' },
    take: AUDIT_PAGE_SIZE + 1,
  });
  const entries = rows.slice(0, AUDIT_PAGE_SIZE).map((r) => ({
    id: r.id.toString(),
    at: r.at,
    adminEmail: r.adminEmail,
    action: r.action,
    target: r.target,
    detail: r.detail,
  }));
  return { entries, nextBefore: rows.length > AUDIT_PAGE_SIZE ? entries.at(-1)!.id : null };
}
