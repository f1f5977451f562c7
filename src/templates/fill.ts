/** Replaces `{name}` placeholders; unknown names (own keys only: `{constructor}` is unknown) stay visible so a typo shows, not a blank. */
export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined) ?? whole);
}
