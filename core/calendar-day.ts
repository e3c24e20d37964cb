/**
 * `YYYY-MM-DD` naming a real calendar day. A regular expression alone accepts 2019-02-30, and
 * JavaScript's `Date` reads that as 2 March, so the day is checked to survive a round trip.
 */
export function isCalendarDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
