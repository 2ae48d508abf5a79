const json = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** JSON as people read it: indented, in a scrollable, keyboard-reachable region named for screen readers. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" role="region" aria-label={label} tabIndex={0}>
      {json(value)}
    </pre>
  );
}

/** JSON folded away in a table cell: the summary says what it is, the block opens on demand. */
export function JsonDetails({ value, summary, label }: { value: unknown; summary: string; label: string }) {
  return (
    <details className="json-details">
      <summary>{summary}</summary>
      <JsonBlock value={value} label={label} />
    </details>
  );
}
