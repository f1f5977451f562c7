/** Hides secret values in command output before it reaches Slack, the journal or logs. Pure. */

const MIN_LENGTH = 4;
export const REDACTED = '[redacted]';

/** The values themselves, plus the password (and its decoded form) of any connection URL among them. */
function variants(value: string): string[] {
  const out = [value];
  if (value.includes('://')) {
    try {
      const url = new URL(value);
      if (url.password) out.push(url.password, decodeURIComponent(url.password));
    } catch {
      // Not a URL after all: the whole value is still redacted.
    }
  }
  return out;
}

export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secrets.flatMap(variants))].filter((s) => s.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (text) => text;
  return (text) => needles.reduce((out, needle) => out.split(needle).join(REDACTED), text);
}
