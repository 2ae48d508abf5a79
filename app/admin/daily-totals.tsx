// Placeholder: the daily-totals chart (async projection `daily_account_totals`) replaces this
// component. The dashboard renders it inside <section aria-labelledby="daily-totals">.
export function DailyTotals() {
  return null;
}
