import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found · Idem' };

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>There is no account or page at this address. Your accounts are listed on the first page.</p>
      <p>
        <Link href="/">Back to your accounts</Link>
      </p>
    </>
  );
}
