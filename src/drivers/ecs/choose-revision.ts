import type { ECSClient, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import { PlanRefused } from '../errors.js';
import { taskDefinitionLabel } from './changes.js';
import { successfulDeployments } from './history.js';
import { imageTag, parseTaskDefinitionArn, parseVersion, revisionLabel, type RevisionRef } from './names.js';
import type { ServicePlace } from '../shared/ecs/service.js';
import { CHOICES, describeTaskDefinition, newestActiveRevisions, previousActiveRevision } from './task-definitions.js';

/** The task definition to roll back to, and (when Rewind picked it) why. */
export interface ChosenTarget {
  taskDefinition: TaskDefinition;
  why?: string;
}

export interface Current {
  place: ServicePlace;
  taskDefinition: TaskDefinition;
  arn: string;
  ref: RevisionRef;
}

/** ACTIVE revisions other than the current one, newest first: what a refusal offers instead. */
async function choices(ecs: ECSClient, current: Current, signal?: AbortSignal): Promise<string[]> {
  const arns = await newestActiveRevisions(ecs, current.ref.family, CHOICES + 1, signal);
  return arns
    .filter((arn) => arn !== current.arn)
    .slice(0, CHOICES)
    .map(revisionLabel);
}

async function refuse(ecs: ECSClient, current: Current, message: string, signal?: AbortSignal): Promise<never> {
  throw new PlanRefused(message, await choices(ecs, current, signal));
}

/** `to <version>`: a revision number, family:revision, an ARN or an image tag of a recent ACTIVE revision. */
export async function resolveRequested(ecs: ECSClient, text: string, current: Current, signal?: AbortSignal): Promise<ChosenTarget> {
  const { family } = current.ref;
  const version = parseVersion(text);
  if (!version) {
    return refuse(
      ecs,
      current,
      `"${text}" is not an ECS version: write a revision (41), family:revision (${family}:41), a task definition ARN or an image tag (v2.0.0)`,
      signal,
    );
  }
  if (version.kind === 'tag') return resolveTag(ecs, version.tag, current, signal);
  const label = `${version.family ?? family}:${version.revision}`;
  if (version.family !== undefined && version.family !== family) {
    return refuse(ecs, current, `${label} is not a revision of ${family}, the task definition family that ${current.place.service} runs`, signal);
  }
  const arn = current.arn.replace(/:\d+$/, `:${version.revision}`);
  if (version.kind === 'arn' && version.arn !== arn) {
    return refuse(ecs, current, `${version.arn} is in another account or region than service ${current.place.service} (${current.arn})`, signal);
  }
  if (arn === current.arn) return refuse(ecs, current, `${current.place.service} already runs ${label}: pick an earlier revision`, signal);
  const td = await describeTaskDefinition(ecs, arn, signal);
  if (!td) return refuse(ecs, current, `${label} does not exist: pick an ACTIVE revision of ${family}`, signal);
  if (td.status !== 'ACTIVE') {
    return refuse(ecs, current, `${label} is ${td.status} (deregistered), so ECS will not deploy it: pick an ACTIVE revision or register it again`, signal);
  }
  return { taskDefinition: td };
}

/** An image tag (`v2.0.0`): the newest recent ACTIVE revision whose containers run that tag. */
async function resolveTag(ecs: ECSClient, tag: string, current: Current, signal?: AbortSignal): Promise<ChosenTarget> {
  const { family } = current.ref;
  const arns = await newestActiveRevisions(ecs, family, CHOICES, signal);
  const described: TaskDefinition[] = [];
  for (const arn of arns) {
    const td = await describeTaskDefinition(ecs, arn, signal);
    if (!td) continue;
    described.push(td);
    if (arn === current.arn) continue;
    if ((td.containerDefinitions ?? []).some((c) => c.image && imageTag(c.image) === tag)) {
      return { taskDefinition: td, why: `${revisionLabel(arn)} is the newest ACTIVE revision that runs ${tag}` };
    }
  }
  const runsItNow = (current.taskDefinition.containerDefinitions ?? []).some((c) => c.image && imageTag(c.image) === tag);
  const message = runsItNow
    ? `${current.place.service} already runs ${tag} (${revisionLabel(current.arn)}): pick an earlier version`
    : `no ACTIVE revision among the newest ${CHOICES} of ${family} runs an image tagged ${tag}`;
  const offered = described.filter((td) => td.taskDefinitionArn !== current.arn).map((td) => taskDefinitionLabel(td, current.place.service));
  throw new PlanRefused(message, offered);
}

function when(date: Date | undefined): string {
  return date ? ` (finished ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
}

/**
 * No version asked: the newest SUCCESSFUL deployment with another task definition, else the highest
 * ACTIVE revision below the current one. Deregistered candidates are skipped: ECS will not deploy them.
 */
export async function choosePrevious(ecs: ECSClient, current: Current, log: Logger, signal?: AbortSignal): Promise<ChosenTarget> {
  const label = revisionLabel(current.arn);
  for (const past of await successfulDeployments(ecs, current.place, log, signal)) {
    if (past.taskDefinition === current.arn) continue;
    const td = await describeTaskDefinition(ecs, past.taskDefinition, signal);
    if (td?.status === 'ACTIVE') {
      return {
        taskDefinition: td,
        why: `${revisionLabel(past.taskDefinition)} is the last successful deployment before ${label}${when(past.finishedAt)}`,
      };
    }
  }
  const earlier = await previousActiveRevision(ecs, current.ref.family, current.ref.revision, signal);
  const td = earlier ? await describeTaskDefinition(ecs, earlier, signal) : undefined;
  if (td)
    return {
      taskDefinition: td,
      why: `${revisionLabel(earlier!)} is the newest ACTIVE revision below ${label} (no earlier deployment in the service history)`,
    };
  return refuse(
    ecs,
    current,
    `nothing to roll back to: ${current.place.service} has no earlier successful deployment and ${current.ref.family} has no ACTIVE revision below ${label}; name one with \`to <revision>\``,
    signal,
  );
}

export function currentOf(place: ServicePlace, taskDefinition: TaskDefinition): Current | undefined {
  const arn = taskDefinition.taskDefinitionArn ?? '';
  const ref = parseTaskDefinitionArn(arn);
  return ref ? { place, taskDefinition, arn, ref } : undefined;
}
