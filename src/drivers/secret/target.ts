import { z } from 'zod';
import { duration, ownApprovalRequired, targetBase, text } from '../../config/fields.js';
import { dependentEntry } from '../shared/restart/dependents.js';

/**
 * `driver: secret`: the security-breach procedure ("Full + secrets rotation"): rotate a Secrets
 * Manager secret, then restart what reads it so the leaked value stops working everywhere.
 */

const secretId = z
  .string({ error: 'missing: add the Secrets Manager secret name or ARN, e.g. distrocv/api' })
  .regex(/^(arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/, {
    error: 'must be a Secrets Manager secret name (letters, digits and /_+=.@-) or its ARN, e.g. distrocv/api',
  });

const jsonKey = text("a key of the secret's JSON value, e.g. password");

const generate = z.strictObject({
  /** The JSON keys that get new random values; every other key is kept as it is. */
  keys: z
    .array(jsonKey)
    .min(1, { error: "must list at least one key of the secret's JSON value, e.g. [password]" })
    .refine((keys) => new Set(keys).size === keys.length, { error: 'lists a key twice: remove the duplicate' }),
  length: z
    .number()
    .int()
    .min(8, { error: 'must be at least 8 characters' })
    .max(4096, { error: "must be at most 4096 (GetRandomPassword's limit)" })
    .default(32),
  /** For values that end up in URLs or shell-quoted config. */
  excludePunctuation: z.boolean().default(false),
});
export type GeneratedValues = z.infer<typeof generate>;

export const secretTarget = z
  .strictObject({
    driver: z.literal('secret'),
    secretId,
    region: z.string().optional(),
    /** `lambda`: the secret's own rotation function (RotateSecret); `generate`: new random values for some JSON keys (PutSecretValue). */
    rotation: z.union([z.literal('lambda'), z.strictObject({ generate })], {
      error: "must be `lambda` (the secret's configured rotation function) or `{ generate: { keys: [password] } }` (new random values for those JSON keys)",
    }),
    dependents: z.array(dependentEntry).default([]),
    rotationTimeout: duration('how long to wait for the rotation function to finish').default(10 * 60_000),
    restartTimeout: duration('how long to wait for each restarted dependent').default(15 * 60_000),
    pollInterval: duration('how often to read Secrets Manager, ECS and Kubernetes while waiting').default(10_000),
    ...targetBase,
  })
  // Not inherited from the top-level default: the runbooks' security row needs CTO and Security.
  .superRefine(
    ownApprovalRequired(
      "a secret rotation needs its own approval rule (the runbooks' security incident row: CTO and Security)",
      '{ from: [cto, security], count: 2 }',
    ),
  );
export type SecretTarget = z.infer<typeof secretTarget>;
