import { createAccessControl } from 'better-auth/plugins/access';
import { defaultStatements } from 'better-auth/plugins/admin/access';

// What an admin may do through better-auth's admin endpoints: exactly what the console uses —
// find customers and disable (ban) or enable them. No impersonation (an admin acting as a customer
// could move their money untraced), no setting passwords, roles or emails, no creating or deleting
// users (`npm run admin:create` works on the database directly). Customers may do none of it.

const ac = createAccessControl(defaultStatements);

const adminRole = ac.newRole({ user: ['list', 'get', 'ban'], session: ['list'] });
const customerRole = ac.newRole({ user: [], session: [] });

export const adminRoles = { ac, roles: { admin: adminRole, customer: customerRole } };
