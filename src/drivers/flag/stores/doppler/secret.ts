import { clause } from '../../../../domain/refusal.js';
import type { Plan } from '../../../../domain/rollback.js';
import type { DriverContext, HistoryEntry, StepContext } from '../../../driver.js';
import { AlreadyThere, PlanRefused, StepFailed } from '../../../errors.js';
import { replanCommand } from '../../replan.js';
import type { FlagRequest } from '../../request.js';
import type { FlagStoreDeps, FlagStoreOperations } from '../../store.js';
import { dopplerApi, type DopplerApi } from './api.js';
import { LOG_ENTRIES, previousValue, secretChanges, when } from './changes.js';
import { SECRET_NAME, SET_SECRET_STEP, type DopplerFlagTarget, type DopplerPlanData } from './index.js';
import { digest, isDeclared, valueLabel } from './values.js';

type Deps = FlagStoreDeps<never>;

/** Doppler's API for `place` (the catalog's config at plan time, the plan's afterwards); `missing` says what an unset token variable means here. */
function connect(
  deps: Deps,
  target: DopplerFlagTarget,
  place: { project: string; config: string },
  ctx: DriverContext,
  missing: (problem: string) => Error,
): DopplerApi {
  const token = deps.env[target.tokenEnv];
  if (!token) {
    throw missing(
      `${target.tokenEnv} is not set in Rewind's environment, so Rewind cannot authenticate to Doppler: set it on the workers to a service token for ${place.project}/${place.config} (the catalog names the variable, never the token)`,
    );
  }
  return dopplerApi({
    ...place,
    apiUrl: target.apiUrl,
    tokenEnv: target.tokenEnv,
    token,
    timeout: target.timeout,
    fetch: deps.fetch,
    signal: ctx.signal,
    log: ctx.log,
  });
}

const stepTokenMissing = (problem: string) => new StepFailed('TokenMissing', `${problem}.`, 'retry once the variable is set');

/** At plan time a refusal by Doppler (token, access, names) is the requester's to fix: a refusal saying how, not a failure. */
async function refusing<R>(work: Promise<R>): Promise<R> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof StepFailed && error.permanent) throw new PlanRefused(`${clause(error.message)}: ${clause(error.hint)}.`);
    throw error;
  }
}

/** revert: the value before the secret's last change, from the config log; only a declared value is written. */
async function revertValue(api: DopplerApi, target: DopplerFlagTarget, secret: string, current: string): Promise<{ value: string; why: string }> {
  const changes = await refusing(
    secretChanges(api, secret, (found) => found.some((c) => c.before === undefined) || previousValue(found, current) !== undefined),
  );
  const previous = previousValue(changes, current);
  const log = `${target.project}/${target.config}'s config log`;
  if (!previous) {
    throw new PlanRefused(
      changes.length === 0
        ? `No change of ${secret} is among the last ${LOG_ENTRIES} entries of ${log}, so Rewind cannot tell what to revert to: use on or off.`
        : `${log} shows no value of ${secret} other than ${valueLabel(target, current)}, so there is nothing to revert to: use on or off.`,
      ['on', 'off'],
    );
  }
  if (!isDeclared(target, previous.before)) {
    throw new PlanRefused(
      `${secret}'s value before its last change${when(previous)} is not one this flag declares (on, off, values), so Rewind will neither show nor write it: add it to \`values\` if it is a flag value, or use on or off.`,
      ['on', 'off'],
    );
  }
  return { value: previous.before, why: ` (its value before the change${when(previous)})` };
}

/** on/off/set write a declared value; revert restores the value before the last change. */
async function planDoppler(deps: Deps, target: DopplerFlagTarget, req: FlagRequest, ctx: DriverContext): Promise<Plan> {
  const secret = target.secret ?? req.flag;
  if (!SECRET_NAME.test(secret)) {
    throw new PlanRefused(
      `${secret} cannot be a Doppler secret name (letters, digits and _ only): add \`secret: <NAME>\` to ${req.flag}'s Doppler entry in the catalog.`,
    );
  }
  const where = `${target.project}/${target.config}`;
  const api = connect(deps, target, target, ctx, (problem) => new PlanRefused(`${problem}.`));
  const current = await refusing(api.readSecret(secret));
  const label = (value: string) => valueLabel(target, value);
  const { value: newValue, why } =
    req.action === 'revert' ? await revertValue(api, target, secret, current) : { value: req.action === 'set' ? req.value! : target[req.action], why: '' };
  if (newValue === current) {
    throw new AlreadyThere(`${req.flag} is already ${label(newValue)} in ${req.environment} (Doppler ${where} ${secret}): nothing to change.`);
  }
  const data: DopplerPlanData = {
    ...req,
    store: 'doppler',
    project: target.project,
    config: target.config,
    secret,
    currentLabel: label(current),
    currentDigest: digest(current),
    newValue,
  };
  return {
    driver: 'flag',
    current: label(current),
    target: label(newValue),
    changes: [`${req.flag} (Doppler ${where} ${secret}): ${label(current)} → ${label(newValue)}${why}`],
    steps: [{ id: SET_SECRET_STEP, title: `Set ${secret} in ${where} to ${label(newValue)} (doppler secrets set)`, driver: 'flag', input: { secret } }],
    fingerprint: `doppler:${where}/${secret}@${data.currentDigest.slice(0, 12)}`,
    data,
  };
}

async function driftDoppler(deps: Deps, data: DopplerPlanData, target: DopplerFlagTarget, ctx: DriverContext): Promise<string | undefined> {
  const now = await connect(deps, target, data, ctx, stepTokenMissing).readSecret(data.secret);
  if (digest(now) === data.currentDigest) return undefined;
  return `${data.secret} in ${data.project}/${data.config} is now ${valueLabel(target, now)}; it was ${data.currentLabel} at plan time`;
}

/**
 * Writes the new value at most once: a repeat after the checkpoint gets the journaled answer, and
 * a repeat that finds the value already there (its write landed, its checkpoint did not) is done.
 */
async function setSecret(deps: Deps, ctx: StepContext<DopplerFlagTarget, DopplerPlanData>): Promise<Record<string, unknown>> {
  const { data, target } = ctx;
  const where = `${data.project}/${data.config}`;
  const wrote = await ctx.checkpoint('wrote', async () => {
    const api = connect(deps, target, data, ctx, stepTokenMissing);
    const now = await api.readSecret(data.secret);
    if (now === data.newValue) return false;
    if (digest(now) !== data.currentDigest) {
      throw new StepFailed(
        'FlagDrift',
        `${data.secret} in ${where} changed after the plan was approved: it is now ${valueLabel(target, now)}, was ${data.currentLabel}.`,
        `find out who changed it, then plan again: ${replanCommand(data)}`,
      );
    }
    await api.writeSecret(data.secret, data.newValue);
    return true;
  });
  const value = valueLabel(target, data.newValue);
  ctx.progress(`${data.secret} in ${where} = ${value}${wrote ? '' : ' (already set)'}`);
  return { secret: data.secret, project: data.project, config: data.config, value, previous: data.currentLabel, wrote };
}

async function historyDoppler(deps: Deps, target: DopplerFlagTarget, ctx: DriverContext): Promise<HistoryEntry[]> {
  // History is asked for by target alone, so the flag's name (the plan's default) is not known here.
  if (!target.secret) {
    throw new StepFailed(
      'SecretNameMissing',
      `Rewind lists a Doppler flag's history by its secret name, and this flag's entry has none`,
      "add `secret: <NAME>` to the flag's Doppler entry in the catalog",
    );
  }
  const api = connect(deps, target, target, ctx, stepTokenMissing);
  const changes = await secretChanges(api, target.secret);
  return changes.map((c, i) => ({
    revision: c.logId,
    description: `${valueLabel(target, c.before)} → ${valueLabel(target, c.after)}${when(c)}`,
    ...(c.at ? { createdAt: c.at } : {}),
    current: i === 0,
  }));
}

export const secretOperations: FlagStoreOperations<DopplerFlagTarget, DopplerPlanData, never> = {
  plan: planDoppler,
  drift: driftDoppler,
  history: historyDoppler,
  run: setSecret,
};
