import type { ReactNode } from 'react';
import { AdminNav } from '@/app/admin/components/admin-nav';
import { requireAdmin } from '@/lib/admin/require-admin';
import './admin.css';

// The ops console's frame: a persistent navigation (sidebar on wide screens, a menu on phones).
// The layout's check makes the whole area a 404 for everyone but admins; every page and server
// action still checks for itself, because a layout does not run for a server action's POST.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdmin();
  return (
    <div className="admin">
      <noscript>
        <style>{'.admin .admin-sidebar { display: block; } .admin .admin-menu-bar { display: none; }'}</style>
      </noscript>
      <AdminNav />
      <div className="admin-content">{children}</div>
    </div>
  );
}
