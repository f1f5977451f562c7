import { z } from 'zod';
import { FLAG_ACTIONS } from '../../config/targets/flag.js';

const common = {
  flag: z.string().min(1),
  environment: z.string().min(1),
  action: z.enum(FLAG_ACTIONS),
  value: z.string().optional(),
};

export const ssmPlanData = z.object({
  ...common,
  store: z.literal('ssm'),
  parameter: z.string().min(1),
  region: z.string().optional(),
  currentValue: z.string(),
  currentVersion: z.number().int(),
  newValue: z.string(),
});

export const appconfigPlanData = z.object({
  ...common,
  store: z.literal('appconfig'),
  application: z.string().min(1),
  appEnvironment: z.string().min(1),
  profile: z.string().min(1),
  strategy: z.string().min(1),
  region: z.string().optional(),
  /** What the profile's last completed deployment serves; null when it was never deployed. */
  currentVersion: z.string().nullable(),
  currentDeployment: z.number().int().nullable(),
  newVersion: z.string().min(1),
});

export const httpPlanData = z.object({
  ...common,
  store: z.literal('http'),
  url: z.string().min(1),
  method: z.string().min(1),
  enabled: z.boolean(),
  body: z.string(),
  contentType: z.string(),
});

export const flagPlanData = z.discriminatedUnion('store', [ssmPlanData, appconfigPlanData, httpPlanData]);
export type SsmPlanData = z.infer<typeof ssmPlanData>;
export type AppConfigPlanData = z.infer<typeof appconfigPlanData>;
export type HttpPlanData = z.infer<typeof httpPlanData>;
export type FlagPlanData = z.infer<typeof flagPlanData>;

/** `/rollback flag NewMatchingAlgorithm off production`: the command that asks for a fresh plan. */
export function replanCommand(data: { flag: string; action: string; value?: string; environment: string }): string {
  return `/rollback flag ${data.flag} ${data.action}${data.action === 'set' ? ` ${data.value ?? '<value>'}` : ''} ${data.environment}`;
}

/** A flag value for the card: quoted, one line, at most 80 characters. */
export function shown(value: string): string {
  const line = value.replace(/\s+/g, ' ');
  return `"${line.length > 80 ? `${line.slice(0, 79)}…` : line}"`;
}
