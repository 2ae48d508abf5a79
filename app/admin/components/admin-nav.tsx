'use client';

import * as Dialog from '@radix-ui/react-dialog';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';

// The admin navigation. Wide screens: a sidebar. Phones: a "Menu" button opening the same links in
// a Radix dialog (focus moves in, Escape and the Close button return it). Without JavaScript the
// button could not open anything, so the layout's <noscript> style shows the sidebar instead.

const ADMIN_SECTIONS = [
  { href: '/admin', label: 'Dashboard' },
  { href: '/admin/events', label: 'Events' },
  { href: '/admin/commands', label: 'Commands' },
  { href: '/admin/streams', label: 'Streams' },
  { href: '/admin/projections', label: 'Projections' },
  { href: '/admin/customers', label: 'Customers' },
  { href: '/admin/audit', label: 'Audit log' },
] as const;

/** `page` on the section's own page, `true` on pages inside it (an event, a stream, a command). */
function currentness(pathname: string, href: string): 'page' | 'true' | undefined {
  if (pathname === href) return 'page';
  return href !== '/admin' && pathname.startsWith(`${href}/`) ? 'true' : undefined;
}

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <ul className="admin-nav-links">
      {ADMIN_SECTIONS.map(({ href, label }) => (
        <li key={href}>
          <Link href={href} aria-current={currentness(pathname, href)} onClick={onNavigate}>
            {label}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function AdminNav() {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const here = ADMIN_SECTIONS.find(({ href }) => currentness(pathname, href) !== undefined)?.label ?? 'Admin';
  return (
    <>
      <nav aria-label="Admin" className="admin-sidebar">
        <p className="admin-nav-title">Ops console</p>
        <NavLinks />
      </nav>
      <div className="admin-menu-bar">
        <Dialog.Root open={open} onOpenChange={setOpen}>
          <Dialog.Trigger className="admin-menu-button">Menu</Dialog.Trigger>
          <Dialog.Portal>
            <Dialog.Overlay className="admin-menu-overlay" />
            <Dialog.Content className="admin-menu-sheet" aria-describedby={undefined}>
              <Dialog.Title className="admin-nav-title">Ops console</Dialog.Title>
              <nav aria-label="Admin">
                <NavLinks onNavigate={() => setOpen(false)} />
              </nav>
              <Dialog.Close className="admin-menu-close">Close</Dialog.Close>
            </Dialog.Content>
          </Dialog.Portal>
        </Dialog.Root>
        <span className="admin-menu-here" aria-hidden="true">
          {here}
        </span>
      </div>
    </>
  );
}
