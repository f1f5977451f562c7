import ms from 'ms';

/** Parses `15m`, `30s`, `2h` into milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const value = ms(text as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `3m 12s`, `45s`, `1h 05m`: short enough for a Slack field. */
export function formatDuration(millis: number): string {
  const total = Math.max(0, Math.round(millis / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}
