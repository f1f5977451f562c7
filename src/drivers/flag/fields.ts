import { z } from 'zod';
import { targetBase } from '../../config/fields.js';
import { FLAG_ACTIONS } from './actions.js';

/** The catalog fields every store's flag has. */
export const flagTargetBase = { driver: z.literal('flag'), ...targetBase };

/** The Plan.data fields every store's plan has. */
export const planDataBase = {
  flag: z.string().min(1),
  environment: z.string().min(1),
  action: z.enum(FLAG_ACTIONS),
  value: z.string().optional(),
};

/** YAML reads `on: true` as a boolean and `off: 2` as a number; a flag value is text either way. */
export const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a value such as "true", "false" or 2' }).transform(String);

/** Name of the environment variable holding a token; the token itself never goes in the catalog. */
export function tokenEnvName(example: string) {
  return z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: `must be the NAME of an environment variable such as ${example}, not the token itself` });
}

/** Why `set <value>` is refused for a store that writes only the catalog's `values`, or undefined. */
export function allowedValueProblem(values: string[] | undefined, flag: string, value: string | undefined): string | undefined {
  if (!values) return `${flag} does not allow \`set\`: list the allowed values in the catalog (\`values: [...]\`) or use on, off or revert`;
  if (value === undefined || !values.includes(value)) return `${flag} can be set to ${values.map((v) => `"${v}"`).join(', ')} only`;
  return undefined;
}
