/** The clock's time, or the real time when the clock throws or returns something that is not a valid date. */
export function readClock(now: () => Date): Date {
  try {
    const d = now();
    if (d instanceof Date && Number.isFinite(d.getTime())) return d;
  } catch {
    // a failing clock must not fail the turn
  }
  return new Date();
}
