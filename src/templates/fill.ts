/** Replaces `{name}` placeholders; unknown names stay visible so a typo shows in the message, not as a blank. */
export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}
