import type { z } from 'zod';

/** A configuration problem that stops start-up; each line names a key path and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** One line per zod issue: `services.api.production.cluster: missing: add it with ...`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(top level)';
    switch (issue.code) {
      case 'unrecognized_keys':
        return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or fix the spelling`;
      case 'invalid_value':
        return `${path}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      case 'invalid_type':
        if (/received undefined/.test(issue.message)) return `${path}: missing: add it (${issue.expected})`;
        return `${path}: ${issue.message}`;
      default:
        return `${path}: ${issue.message}`;
    }
  });
}
