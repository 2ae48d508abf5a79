/** Times are shown in UTC, the same on the server and in every browser (no hydration mismatch). */
export function formatTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}
