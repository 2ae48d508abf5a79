import Link from 'next/link';
import { CopyButton } from '@/app/admin/components/copy-button';

/**
 * The part of an id people tell apart: command ids are `<customer id>:<client key>`, so the key,
 * cut to eight characters (the length of a git short hash).
 */
function shortId(id: string): string {
  const colon = id.indexOf(':');
  const key = colon > 0 && colon < id.length - 1 ? id.slice(colon + 1) : id;
  return key.length > 10 ? key.slice(0, 8) : key;
}

/**
 * A shortened id with a copy button. The full id is in the text too, visually hidden: it is what
 * screen readers read and what find-in-page and tests match.
 */
export function ShortId({ id, href, what }: { id: string; href?: string; what: string }) {
  const short = shortId(id);
  const content = (
    <>
      <code aria-hidden="true">
        {short}
        {short.length < id.length ? '…' : null}
      </code>
      <span className="visually-hidden">{id}</span>
    </>
  );
  return (
    <span className="short-id">
      {href ? (
        <Link href={href} title={id}>
          {content}
        </Link>
      ) : (
        <span title={id}>{content}</span>
      )}
      <CopyButton value={id} what={`${what} ${id}`} />
    </span>
  );
}
