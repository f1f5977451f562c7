import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { fromAwsError } from '../../errors.js';

/** Where the service lives; fixed at plan time. */
export interface ServicePlace {
  cluster: string;
  service: string;
  region?: string;
}

export type ServiceLookup = { found: true; service: Service } | { found: false; why: string };

export const READ_HINT =
  "check that Rewind's AWS role may call ecs:DescribeServices, ecs:DescribeTaskDefinition, ecs:ListTaskDefinitions, ecs:ListServiceDeployments and ecs:DescribeServiceRevisions in this account and region";

function where(place: ServicePlace): string {
  return place.region ? ` in ${place.region}` : '';
}

/** DescribeServices for one service; a missing cluster or service is an answer, other AWS errors are thrown as StepFailed. */
export async function lookupService(ecs: ECSClient, place: ServicePlace, signal?: AbortSignal): Promise<ServiceLookup> {
  try {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: place.cluster, services: [place.service] }), { abortSignal: signal });
    const service = out.services?.find((s) => s.serviceName === place.service || s.serviceArn?.endsWith(`/${place.service}`));
    if (!service) {
      const reason = out.failures?.[0]?.reason ?? 'MISSING';
      return { found: false, why: `ECS cluster ${place.cluster}${where(place)} has no service ${place.service} (${reason})` };
    }
    if (service.status !== 'ACTIVE') {
      return { found: false, why: `ECS service ${place.service} in cluster ${place.cluster}${where(place)} is ${service.status} (deleted or being deleted)` };
    }
    return { found: true, service };
  } catch (error) {
    if (signal?.aborted) throw error;
    if ((error as Error).name === 'ClusterNotFoundException') {
      return { found: false, why: `ECS cluster ${place.cluster} does not exist${where(place)}` };
    }
    throw fromAwsError(error, 'DescribeServices', READ_HINT);
  }
}
