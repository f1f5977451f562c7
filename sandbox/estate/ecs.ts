import { ECSClient } from '@aws-sdk/client-ecs';
import { startFakeEcs, type FakeEcs } from '../../test/fakes/aws/ecs.js';
import type { EstateItem, EstatePiece } from './types.js';

const CLUSTER = 'distrocv-prod';
const SERVICE = 'api';
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/distrocv-api';
const RELEASES = ['v1.9.0', 'v2.0.0', 'v2.0.1'];
/** The release a rollback of `api production` goes back to (the one before the live v2.0.1). */
const ROLLBACK_TARGET = `${REPO}:v2.0.0`;

/**
 * The DistroCV `api` service of the ECS runbook: task definitions distrocv-api:1..3 (v1.9.0,
 * v2.0.0, v2.0.1), each deployed in turn, :3 live with 3 tasks and the circuit breaker on.
 */
export function seedDistroCvApi(ecs: FakeEcs): void {
  const arns = RELEASES.map((tag) => ecs.registerTaskDefinition('distrocv-api', [{ name: 'api', image: `${REPO}:${tag}` }]));
  ecs.createService(CLUSTER, SERVICE, arns[0]!, 3, { circuitBreakerRollback: true });
  ecs.deployNow(CLUSTER, SERVICE, arns[1]!);
  ecs.deployNow(CLUSTER, SERVICE, arns[2]!);
}

export interface EcsPieceOptions {
  /** Rollout pace: one task replaced per tick. */
  tickMs: number;
  /** Start with the rollback target's image crash-looping (the circuit breaker then trips). */
  crashloop?: boolean;
}

/** `distrocv-api:3` with its image tag, for people rather than ARNs. */
function describeTaskDefinition(arn: string): string {
  const short = arn.replace(/^.*task-definition\//, '');
  const revision = Number(short.split(':')[1]);
  return `${short} (${RELEASES[revision - 1] ?? '?'})`;
}

export async function startEcsPiece(opts: EcsPieceOptions): Promise<EstatePiece> {
  const ecs = await startFakeEcs({ tickMs: opts.tickMs });
  seedDistroCvApi(ecs);
  let crashloop = false;
  let unhealthy = false;
  let full = false;
  // No room for a fourth task: a rolling update must start one before stopping one, so it sticks.
  const setFull = (on: boolean) => {
    full = on;
    ecs.setCapacity(CLUSTER, SERVICE, on ? 3 : undefined);
  };
  const setCrashloop = (on: boolean) => {
    crashloop = on;
    ecs.setImageBehaviour(ROLLBACK_TARGET, on ? 'crashloop' : 'healthy');
  };
  setCrashloop(Boolean(opts.crashloop));

  const view = (): EstateItem[] => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fake's wire view, as DescribeServices returns it
    const svc: any = ecs.service(CLUSTER, SERVICE);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const deployments: any[] = svc.deployments ?? [];
    const failing = deployments.some((d) => d.rolloutState === 'FAILED' || d.failedTasks > 0);
    const busy = deployments.some((d) => d.rolloutState === 'IN_PROGRESS');
    return [
      {
        id: 'ecs-api',
        title: `ECS ${CLUSTER} / ${SERVICE}`,
        status: failing && busy ? 'failing' : busy ? 'busy' : 'steady',
        lines: [
          `service on ${describeTaskDefinition(svc.taskDefinition)}, ${svc.runningCount}/${svc.desiredCount} tasks running`,
          ...deployments.map(
            (d) =>
              `${d.status.toLowerCase()} ${describeTaskDefinition(d.taskDefinition)}: ${d.rolloutState.toLowerCase().replace('_', ' ')}, ${d.runningCount}/${d.desiredCount} running${
                d.failedTasks ? `, ${d.failedTasks} failed` : ''
              }`,
          ),
          `/health: ${unhealthy ? '503 unhealthy' : '200 healthy'}`,
        ],
      },
    ];
  };

  return {
    summary: `DistroCV ECS service api in ${CLUSTER} (live: distrocv-api:3, v2.0.1)`,
    example: '/rollback api production Error rate spiked after deploy',
    clients: {
      ecs: () => new ECSClient({ endpoint: ecs.url, region: ecs.region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 3 }),
    },
    view,
    toggles: () => [
      { id: 'api-crashloop', label: 'api v2.0.0 (the rollback target) crash-loops', on: crashloop },
      { id: 'api-unhealthy', label: 'api /health answers 503', on: unhealthy },
      { id: 'api-cluster-full', label: `${CLUSTER} has no room for another task: api's rollout gets stuck (then try Kill stuck deployment)`, on: full },
    ],
    setToggle(id, on) {
      if (id === 'api-crashloop') setCrashloop(on);
      else if (id === 'api-unhealthy') unhealthy = on;
      else if (id === 'api-cluster-full') setFull(on);
      else return false;
      return true;
    },
    health: { api: () => !unhealthy },
    close: () => ecs.close(),
  };
}
