import { COUNT_CAP } from '@/lib/admin/log-queries';

const plural = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** "Showing 50 of 1,234 events" (counts stop at COUNT_CAP: "more than 10,000"). */
export function ResultCount({ shown, matching, noun }: { shown: number; matching: number; noun: string }) {
  const total = matching > COUNT_CAP ? `more than ${plural(COUNT_CAP, noun)}` : plural(matching, noun);
  return (
    <p className="result-count" data-testid="result-count">
      {matching === 0
        ? `No ${noun}s match.`
        : shown === matching
          ? `${total} ${matching === 1 ? 'matches' : 'match'}.`
          : `Showing ${shown} of ${total}.`}
    </p>
  );
}
