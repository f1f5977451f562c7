import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, type ParameterHistory, type SSMClient } from '@aws-sdk/client-ssm';
import type { Plan } from '../../../../domain/rollback.js';
import type { DriverContext, HistoryEntry, StepContext } from '../../../driver.js';
import { AlreadyThere, fromAwsError, PlanRefused, StepFailed } from '../../../errors.js';
import { shown } from '../../display.js';
import { replanCommand } from '../../replan.js';
import type { FlagRequest } from '../../request.js';
import type { FlagStoreDeps, FlagStoreOperations } from '../../store.js';
import { PUT_STEP, type SsmFlagTarget, type SsmPlanData } from './index.js';

const READ_HINT = 'check the parameter name in the catalog and that Rewind may ssm:GetParameter and ssm:GetParameterHistory on it (docs/drivers/flag.md, IAM)';

/** The parameter's current value and version; undefined when it does not exist. */
async function readParameter(ssm: SSMClient, name: string, signal: AbortSignal) {
  try {
    const { Parameter: p } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: false }), { abortSignal: signal });
    if (!p || p.Value === undefined || p.Version === undefined)
      throw new StepFailed('ParameterIncomplete', `SSM returned ${name} without a value or version.`, 'retry in a minute', false);
    return { value: p.Value, version: p.Version, type: p.Type };
  } catch (error) {
    if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
    if (error instanceof StepFailed) throw error;
    throw fromAwsError(error, `GetParameter ${name}`, READ_HINT);
  }
}

async function history(ssm: SSMClient, name: string, signal: AbortSignal): Promise<ParameterHistory[]> {
  const all: ParameterHistory[] = [];
  let token: string | undefined;
  do {
    const page = await ssm
      .send(new GetParameterHistoryCommand({ Name: name, WithDecryption: false, MaxResults: 50, NextToken: token }), { abortSignal: signal })
      .catch((error: unknown) => {
        throw fromAwsError(error, `GetParameterHistory ${name}`, READ_HINT);
      });
    all.push(...(page.Parameters ?? []));
    token = page.NextToken;
  } while (token);
  return all.sort((a, b) => (b.Version ?? 0) - (a.Version ?? 0));
}

function when(p: ParameterHistory): string {
  const at = p.LastModifiedDate ? ` on ${p.LastModifiedDate.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  const by = p.LastModifiedUser ? ` by ${p.LastModifiedUser.split('/').pop()}` : '';
  return `${at}${by}`;
}

/** on/off write the catalog's values; revert restores the latest earlier value that differs from the current one. */
async function planSsm(ssm: SSMClient, target: SsmFlagTarget, req: FlagRequest, signal: AbortSignal): Promise<Plan> {
  const name = target.parameter;
  const region = target.region;
  const current = await readParameter(ssm, name, signal);
  if (!current) {
    throw new PlanRefused(
      `SSM has no parameter ${name}: check the flag's parameter in the Rewind catalog (the runbook layout is /distrocv/prod/FeatureFlags/<Name>).`,
    );
  }
  if (current.type === 'SecureString') {
    throw new PlanRefused(`${name} is a SecureString: Rewind shows flag values on the card, so it only manages String parameters. Store the flag as a String.`);
  }
  let newValue: string;
  let why = '';
  if (req.action === 'revert') {
    const earlier = (await history(ssm, name, signal)).filter((p) => (p.Version ?? 0) < current.version);
    if (earlier.length === 0) {
      throw new PlanRefused(`${name} has no earlier version (version ${current.version} is its first), so there is nothing to revert to: use on or off.`, [
        'on',
        'off',
      ]);
    }
    const previous = earlier.find((p) => p.Value !== current.value);
    if (!previous?.Value) {
      throw new PlanRefused(`Every earlier version of ${name} also holds ${shown(current.value)}, so revert would change nothing: use on or off.`, [
        'on',
        'off',
      ]);
    }
    newValue = previous.Value;
    why = ` (version ${previous.Version}${when(previous)})`;
  } else {
    newValue = req.action === 'set' ? req.value! : target[req.action];
  }
  if (newValue === current.value) {
    throw new AlreadyThere(`${req.flag} is already ${shown(newValue)} in ${req.environment} (${name}, version ${current.version}): nothing to change.`);
  }
  const data: SsmPlanData = { ...req, store: 'ssm', parameter: name, region, currentValue: current.value, currentVersion: current.version, newValue };
  return {
    driver: 'flag',
    current: `${shown(current.value)} (version ${current.version})`,
    target: shown(newValue),
    changes: [`${req.flag} (SSM ${name}): ${shown(current.value)} → ${shown(newValue)}${why}`],
    steps: [{ id: PUT_STEP, title: `Set ${name} to ${shown(newValue)} (PutParameter, overwrite)`, driver: 'flag', input: { parameter: name } }],
    fingerprint: `ssm:${name}@${current.version}`,
    data,
  };
}

async function driftSsm(ssm: SSMClient, data: SsmPlanData, ctx: DriverContext): Promise<string | undefined> {
  const now = await readParameter(ssm, data.parameter, ctx.signal);
  if (!now) return `${data.parameter} no longer exists`;
  if (now.version === data.currentVersion) return undefined;
  return `${data.parameter} is now ${shown(now.value)} (version ${now.version}); it was ${shown(data.currentValue)} (version ${data.currentVersion}) at plan time`;
}

/** Writes the new value unless an earlier attempt of this step already did (same value, newer version). */
async function putSsm(ssm: SSMClient, data: SsmPlanData, ctx: StepContext<SsmFlagTarget, SsmPlanData>): Promise<Record<string, unknown>> {
  const now = await readParameter(ssm, data.parameter, ctx.signal);
  if (!now)
    throw new StepFailed(
      'ParameterNotFound',
      `${data.parameter} was deleted after the plan was approved.`,
      `recreate it, then plan again: ${replanCommand(data)}`,
    );
  if (now.version !== data.currentVersion) {
    // Our own earlier attempt wrote it (a repeat after a crash): do not write again.
    if (now.version > data.currentVersion && now.value === data.newValue)
      return { parameter: data.parameter, value: data.newValue, version: now.version, previousValue: data.currentValue };
    throw new StepFailed(
      'FlagDrift',
      `${data.parameter} changed after the plan was approved: it is now ${shown(now.value)} (version ${now.version}, was ${data.currentVersion}).`,
      `find out who changed it, then plan again: ${replanCommand(data)}`,
    );
  }
  const put = await ssm
    .send(new PutParameterCommand({ Name: data.parameter, Value: data.newValue, Overwrite: true }), { abortSignal: ctx.signal })
    .catch((error: unknown) => {
      throw fromAwsError(error, `PutParameter ${data.parameter}`, 'let Rewind ssm:PutParameter on the flag parameters (docs/drivers/flag.md, IAM)');
    });
  ctx.progress(`${data.parameter} = ${shown(data.newValue)} (version ${put.Version})`);
  return { parameter: data.parameter, value: data.newValue, version: put.Version, previousValue: data.currentValue };
}

async function historySsm(ssm: SSMClient, target: SsmFlagTarget, signal: AbortSignal): Promise<HistoryEntry[]> {
  const versions = await history(ssm, target.parameter, signal);
  return versions.map((p, i) => ({
    revision: String(p.Version),
    description: `${shown(p.Value ?? '')}${when(p)}`,
    ...(p.LastModifiedDate ? { createdAt: p.LastModifiedDate.toISOString() } : {}),
    current: i === 0,
  }));
}

const parameterClient = async ({ client }: FlagStoreDeps<'ssm'>, region: string | undefined) => (await client('ssm'))(region);

export const parameterOperations: FlagStoreOperations<SsmFlagTarget, SsmPlanData, 'ssm'> = {
  plan: async (deps, target, req, ctx) => planSsm(await parameterClient(deps, target.region), target, req, ctx.signal),
  drift: async (deps, data, _target, ctx) => driftSsm(await parameterClient(deps, data.region), data, ctx),
  history: async (deps, target, ctx) => historySsm(await parameterClient(deps, target.region), target, ctx.signal),
  run: async (deps, ctx) => putSsm(await parameterClient(deps, ctx.data.region), ctx.data, ctx),
};
