import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type ECSClient, type TaskDefinition } from '@aws-sdk/client-ecs';
import { fromAwsError } from '../errors.js';
import { parseTaskDefinitionArn } from './names.js';
import { READ_HINT } from '../shared/ecs/service.js';

/** How many ACTIVE revisions a refusal offers as choices. */
export const CHOICES = 10;
/** Pages of ListTaskDefinitions read when looking for an earlier revision (100 ARNs each). */
const MAX_PAGES = 5;

/** The task definition, or undefined when ECS says it does not exist (ECS answers ClientException). */
export async function describeTaskDefinition(ecs: ECSClient, ref: string, signal?: AbortSignal): Promise<TaskDefinition | undefined> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }), { abortSignal: signal });
    return out.taskDefinition;
  } catch (error) {
    if ((error as Error).name === 'ClientException') return undefined;
    throw fromAwsError(error, 'DescribeTaskDefinition', READ_HINT);
  }
}

async function listPage(ecs: ECSClient, family: string, max: number, nextToken: string | undefined, signal?: AbortSignal) {
  try {
    return await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: max, nextToken }), {
      abortSignal: signal,
    });
  } catch (error) {
    throw fromAwsError(error, 'ListTaskDefinitions', READ_HINT);
  }
}

/** The newest ACTIVE revisions of a family, newest first. */
export async function newestActiveRevisions(ecs: ECSClient, family: string, max: number, signal?: AbortSignal): Promise<string[]> {
  const out = await listPage(ecs, family, max, undefined, signal);
  return (out.taskDefinitionArns ?? []).filter((arn) => parseTaskDefinitionArn(arn)?.family === family);
}

/** The highest ACTIVE revision of `family` below `revision`, if any. */
export async function previousActiveRevision(ecs: ECSClient, family: string, revision: number, signal?: AbortSignal): Promise<string | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await listPage(ecs, family, 100, nextToken, signal);
    const earlier = (out.taskDefinitionArns ?? []).find((arn) => {
      const ref = parseTaskDefinitionArn(arn);
      return ref?.family === family && ref.revision < revision;
    });
    if (earlier) return earlier;
    nextToken = out.nextToken;
    if (!nextToken) return undefined;
  }
  return undefined;
}
