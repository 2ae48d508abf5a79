'use client';

// Only bugs and outages land here: expected outcomes (bad input, insufficient funds, duplicates)
// are values that the forms render.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <>
      <h1>Something broke on our side</h1>
      <p>
        The page could not be loaded. Nothing you submitted is lost or applied twice; you can safely try again.
        {error.digest ? ` (Reference: ${error.digest})` : null}
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </>
  );
}
