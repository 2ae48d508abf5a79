import Link from 'next/link';

export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>There is no account or page at this address. Account links look like /accounts/ followed by a UUID.</p>
      <p>
        <Link href="/">Back to all accounts</Link>
      </p>
    </>
  );
}
