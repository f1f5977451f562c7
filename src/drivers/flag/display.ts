/** A flag value for the card: quoted, one line, at most 80 characters. */
export function shown(value: string): string {
  const line = value.replace(/\s+/g, ' ');
  return `"${line.length > 80 ? `${line.slice(0, 79)}…` : line}"`;
}
