import { parseCatalog } from '../../src/config/catalog.js';
import { ConfigError } from '../../src/config/errors.js';

/** A minimal catalog whose one service `service` has `production` as its production entry (YAML lines). */
export function oneTargetCatalog(service: string, production: string): string {
  const entry = production
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `
warRoom: C0WARROOM
roles:
  oncall: { users: [U0ONCALL1] }
approval: { from: [oncall] }
services:
  ${service}:
    production:
${entry}
`;
}

/** What start-up says about that catalog: its ConfigError problems, or none. */
export function targetProblems(service: string, production: string): string[] {
  try {
    parseCatalog(oneTargetCatalog(service, production), 'rewind.config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
