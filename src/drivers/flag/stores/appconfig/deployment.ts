import {
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StartDeploymentCommand,
  type AppConfigClient,
  type Deployment,
  type DeploymentSummary,
} from '@aws-sdk/client-appconfig';
import { createWaiter, WaiterState } from '@smithy/core/client';
import { formatDuration } from '../../../../domain/duration.js';
import type { Plan } from '../../../../domain/rollback.js';
import type { DriverContext, HistoryEntry, StepContext } from '../../../driver.js';
import { AlreadyThere, fromAwsError, PlanRefused, StepFailed } from '../../../errors.js';
import { replanCommand } from '../../replan.js';
import type { FlagRequest } from '../../request.js';
import type { FlagStoreDeps, FlagStoreOperations } from '../../store.js';
import { DEPLOY_STEP, type AppConfigFlagTarget, type AppConfigPlanData } from './index.js';

type DeployContext = StepContext<AppConfigFlagTarget, AppConfigPlanData>;

/** How many of an environment's latest deployments are searched for this profile's. */
const SEARCH_DEPTH = 25;
/** Tolerated difference between Rewind's clock and AppConfig's when adopting an earlier attempt's deployment. */
const CLOCK_SKEW_MS = 60_000;
const FAILED_STATES = new Set(['ROLLING_BACK', 'ROLLED_BACK', 'REVERTED']);

interface Place {
  application: string;
  appEnvironment: string;
  profile: string;
}

const IAM_HINT =
  'check application, environment and profile in the catalog and that Rewind may appconfig:ListDeployments and appconfig:GetDeployment (docs/drivers/flag.md, IAM)';

async function getDeployment(appconfig: AppConfigClient, place: Place, number: number, signal: AbortSignal): Promise<Deployment> {
  return appconfig
    .send(new GetDeploymentCommand({ ApplicationId: place.application, EnvironmentId: place.appEnvironment, DeploymentNumber: number }), {
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      throw fromAwsError(error, `GetDeployment #${number} in ${place.application}/${place.appEnvironment}`, IAM_HINT);
    });
}

async function latestDeployments(appconfig: AppConfigClient, place: Place, signal: AbortSignal): Promise<DeploymentSummary[]> {
  const page = await appconfig
    .send(new ListDeploymentsCommand({ ApplicationId: place.application, EnvironmentId: place.appEnvironment, MaxResults: SEARCH_DEPTH }), {
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      throw fromAwsError(error, `ListDeployments in ${place.application}/${place.appEnvironment}`, IAM_HINT);
    });
  return [...(page.Items ?? [])].sort((a, b) => (b.DeploymentNumber ?? 0) - (a.DeploymentNumber ?? 0));
}

/**
 * This profile's completed deployments, newest first. Summaries do not name the profile,
 * so each completed one is read once (at most SEARCH_DEPTH calls).
 */
async function profileDeployments(appconfig: AppConfigClient, place: Place, signal: AbortSignal, enough = Infinity): Promise<Deployment[]> {
  const found: Deployment[] = [];
  for (const summary of await latestDeployments(appconfig, place, signal)) {
    if (summary.State !== 'COMPLETE' || summary.DeploymentNumber === undefined) continue;
    const d = await getDeployment(appconfig, place, summary.DeploymentNumber, signal);
    if (d.ConfigurationProfileId === place.profile) found.push(d);
    if (found.length >= enough) break;
  }
  return found;
}

function placeOf(target: AppConfigFlagTarget): Place {
  return { application: target.application, appEnvironment: target.environment, profile: target.profile };
}

function describe(d: Deployment): string {
  const at = d.CompletedAt ?? d.StartedAt;
  return `deployment #${d.DeploymentNumber}${at ? `, ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`;
}

/** on/off/set deploy a named configuration version; revert deploys the one served before the current one. */
async function planAppConfig(appconfig: AppConfigClient, target: AppConfigFlagTarget, req: FlagRequest, signal: AbortSignal): Promise<Plan> {
  const place = placeOf(target);
  const where = `${place.application}/${place.appEnvironment} profile ${place.profile}`;
  const history = await profileDeployments(appconfig, place, signal, req.action === 'revert' ? Infinity : 1);
  const current = history[0];
  let newVersion: string;
  let why = '';
  if (req.action === 'revert') {
    if (!current)
      throw new PlanRefused(
        `AppConfig has no completed deployment of ${where} among the last ${SEARCH_DEPTH}, so there is nothing to revert: use set <version>.`,
      );
    const previous = history.find((d) => d.ConfigurationVersion !== current.ConfigurationVersion);
    if (!previous?.ConfigurationVersion) {
      throw new PlanRefused(
        `No earlier deployment of ${where} served another version than ${current.ConfigurationVersion}, so there is nothing to revert to: use set <version>.`,
      );
    }
    newVersion = previous.ConfigurationVersion;
    why = ` (served by ${describe(previous)})`;
  } else {
    newVersion = req.action === 'set' ? req.value! : target[req.action]!;
  }
  const currentVersion = current?.ConfigurationVersion ?? null;
  if (newVersion === currentVersion) {
    throw new AlreadyThere(`${where} already serves configuration version ${newVersion} (${describe(current!)}): nothing to deploy.`);
  }
  const data: AppConfigPlanData = {
    ...req,
    store: 'appconfig',
    ...place,
    strategy: target.strategy,
    region: target.region,
    currentVersion,
    currentDeployment: current?.DeploymentNumber ?? null,
    newVersion,
  };
  const currentLabel = current ? `version ${currentVersion} (${describe(current)})` : 'never deployed';
  return {
    driver: 'flag',
    current: currentLabel,
    target: `version ${newVersion}`,
    changes: [`${req.flag} (AppConfig ${where}): ${currentLabel} → version ${newVersion}${why}, strategy ${target.strategy}`],
    steps: [
      {
        id: DEPLOY_STEP,
        title: `Deploy ${place.profile} version ${newVersion} to ${place.application}/${place.appEnvironment} with strategy ${target.strategy}, wait until COMPLETE`,
        driver: 'flag',
        input: { version: newVersion },
      },
    ],
    fingerprint: `appconfig:${place.application}/${place.appEnvironment}/${place.profile}@${current?.DeploymentNumber ?? '-'}`,
    data,
  };
}

async function driftAppConfig(appconfig: AppConfigClient, data: AppConfigPlanData, ctx: DriverContext): Promise<string | undefined> {
  const [now] = await profileDeployments(appconfig, data, ctx.signal, 1);
  if ((now?.DeploymentNumber ?? null) === data.currentDeployment) return undefined;
  return `${data.application}/${data.appEnvironment} profile ${data.profile} now serves version ${now?.ConfigurationVersion} (${now ? describe(now) : 'none'}); at plan time it served ${data.currentVersion ?? 'nothing'}`;
}

function description(ctx: DeployContext, data: AppConfigPlanData): string {
  return `Rewind ${ctx.rollbackId}: ${data.flag} ${data.action} (${data.environment})`;
}

/** A deployment this step started on an earlier attempt: same version, started since, described with this rollback id. */
async function earlierAttempt(appconfig: AppConfigClient, data: AppConfigPlanData, ctx: DeployContext): Promise<number | undefined> {
  const since = ctx.firstStartedAt.getTime() - CLOCK_SKEW_MS;
  for (const s of await latestDeployments(appconfig, data, ctx.signal)) {
    if (s.ConfigurationVersion !== data.newVersion || (s.StartedAt?.getTime() ?? 0) < since || s.DeploymentNumber === undefined) continue;
    const d = await getDeployment(appconfig, data, s.DeploymentNumber, ctx.signal);
    if (d.ConfigurationProfileId === data.profile && d.Description === description(ctx, data)) return s.DeploymentNumber;
  }
  return undefined;
}

async function startDeployment(appconfig: AppConfigClient, data: AppConfigPlanData, ctx: DeployContext): Promise<number> {
  try {
    const started = await appconfig.send(
      new StartDeploymentCommand({
        ApplicationId: data.application,
        EnvironmentId: data.appEnvironment,
        ConfigurationProfileId: data.profile,
        ConfigurationVersion: data.newVersion,
        DeploymentStrategyId: data.strategy,
        Description: description(ctx, data),
      }),
      { abortSignal: ctx.signal },
    );
    if (started.DeploymentNumber === undefined)
      throw new StepFailed(
        'DeploymentMissing',
        'AppConfig accepted the deployment but returned no number.',
        "check the environment's deployments in the AppConfig console",
        false,
      );
    return started.DeploymentNumber;
  } catch (error) {
    if (error instanceof StepFailed) throw error;
    const name = (error as { name?: string }).name;
    const message = (error as { message?: string }).message ?? String(error);
    if (name === 'ConflictException') {
      throw new StepFailed(
        name,
        `AppConfig is already deploying to ${data.application}/${data.appEnvironment}: ${message}`,
        'Rewind retries this step once that deployment ends; stop it in the AppConfig console if it is stuck',
        false,
      );
    }
    if (name === 'BadRequestException' || name === 'ResourceNotFoundException') {
      throw new StepFailed(
        name,
        `AppConfig refused to deploy ${data.profile} version ${data.newVersion}: ${message}`,
        `check application, environment, profile and strategy in the catalog and that version ${data.newVersion} exists, then ${replanCommand(data)}`,
      );
    }
    throw fromAwsError(
      error,
      `StartDeployment of ${data.profile} version ${data.newVersion}`,
      'let Rewind appconfig:StartDeployment (docs/drivers/flag.md, IAM)',
    );
  }
}

/** Starts (or adopts) the deployment, then polls GetDeployment until COMPLETE; a rollback by AppConfig fails the step. */
async function deployAppConfig(
  appconfig: AppConfigClient,
  data: AppConfigPlanData,
  ctx: DeployContext,
  target: AppConfigFlagTarget,
  minDelaySec: number,
): Promise<Record<string, unknown>> {
  // Before the checkpoint, a crash may have left a deployment this step started: adopt it.
  const deployment = await ctx.checkpoint(
    'deploymentNumber',
    async () => (await earlierAttempt(appconfig, data, ctx)) ?? startDeployment(appconfig, data, ctx),
  );
  const delay = Math.max(target.pollInterval / 1000, minDelaySec);
  const maxWaitTime = Math.max(target.deployTimeout / 1000, 2 * delay);
  let last: Deployment | undefined;
  let lastLine = '';
  const result = await createWaiter({ client: appconfig, abortSignal: ctx.signal, minDelay: delay, maxDelay: delay, maxWaitTime }, undefined, async () => {
    try {
      last = await getDeployment(appconfig, data, deployment, ctx.signal);
    } catch (error) {
      if (error instanceof StepFailed && !error.permanent) return { state: WaiterState.RETRY };
      throw error;
    }
    const line = `AppConfig deployment #${deployment} of version ${data.newVersion}: ${last.State} ${last.PercentageComplete ?? 0}%`;
    if (line !== lastLine) ctx.progress((lastLine = line));
    if (last.State === 'COMPLETE') return { state: WaiterState.SUCCESS };
    return { state: FAILED_STATES.has(last.State ?? '') ? WaiterState.FAILURE : WaiterState.RETRY };
  });
  if (result.state === WaiterState.ABORTED) ctx.signal.throwIfAborted();
  if (result.state === WaiterState.SUCCESS) return { deploymentNumber: deployment, version: data.newVersion, state: 'COMPLETE' };
  if (result.state === WaiterState.TIMEOUT) {
    throw new StepFailed(
      'DeploymentTimeout',
      `AppConfig deployment #${deployment} was still ${last?.State ?? 'unknown'} after ${formatDuration(target.deployTimeout)}.`,
      'watch it in the AppConfig console; a strategy with bake time finishes only after the bake',
    );
  }
  const event = last?.EventLog?.find((e) => e.Description)?.Description;
  throw new StepFailed(
    'DeploymentRolledBack',
    `AppConfig ${last?.State === 'ROLLING_BACK' ? 'is rolling back' : 'rolled back'} deployment #${deployment} of ${data.profile} version ${data.newVersion}${event ? `: ${event}` : ''}.`,
    `the previous configuration is being served again; check the environment's alarms, then ${replanCommand(data)}`,
  );
}

async function historyAppConfig(appconfig: AppConfigClient, target: AppConfigFlagTarget, signal: AbortSignal): Promise<HistoryEntry[]> {
  const deployments = await profileDeployments(appconfig, placeOf(target), signal);
  return deployments.map((d, i) => ({
    revision: d.ConfigurationVersion ?? '?',
    description: `${describe(d)}${d.Description ? `: ${d.Description}` : ''}`,
    ...(d.StartedAt ? { createdAt: d.StartedAt.toISOString() } : {}),
    current: i === 0,
  }));
}

const appconfigClient = async ({ client }: FlagStoreDeps<'appconfig'>, region: string | undefined) => (await client('appconfig'))(region);

export const deploymentOperations: FlagStoreOperations<AppConfigFlagTarget, AppConfigPlanData, 'appconfig'> = {
  plan: async (deps, target, req, ctx) => planAppConfig(await appconfigClient(deps, target.region), target, req, ctx.signal),
  drift: async (deps, data, _target, ctx) => driftAppConfig(await appconfigClient(deps, data.region), data, ctx),
  history: async (deps, target, ctx) => historyAppConfig(await appconfigClient(deps, target.region), target, ctx.signal),
  run: async (deps, ctx) => deployAppConfig(await appconfigClient(deps, ctx.data.region), ctx.data, ctx, ctx.target, deps.minPollSec),
};
