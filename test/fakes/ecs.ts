import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A wire-level Amazon ECS fake: AWS JSON 1.1 over HTTP (POST /, X-Amz-Target
 * `AmazonEC2ContainerServiceV20141113.<Op>`), with a rolling-deployment state machine
 * that advances one task per tick, a deployment circuit breaker and the service
 * deployment history (ListServiceDeployments / DescribeServiceRevisions).
 * Self-contained so the sandbox can run it with a slow tick.
 */

/** Request and response JSON; the real SDK on the other side is what checks its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wire = any;

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
/** Ticks a crash-looping deployment survives before the circuit breaker trips. */
const CRASH_TICKS_BEFORE_FAILURE = 3;

export interface FakeCall {
  op: string;
  input: Wire;
  at: number;
}

export interface FakeError {
  type: string;
  message: string;
  status?: number;
}

export interface ContainerSeed {
  name: string;
  image: string;
  /** awslogs group for the container's logConfiguration. */
  logGroup?: string;
}

export interface FakeEcs {
  url: string;
  region: string;
  accountId: string;
  calls: FakeCall[];
  callsTo(op: string): FakeCall[];
  /** How often the deployment state machine advances; changeable at runtime. */
  tickMs: number;
  registerTaskDefinition(family: string, containers: ContainerSeed[], opts?: { cpu?: string; memory?: string }): string;
  deregisterTaskDefinition(taskDefinition: string): void;
  /** A service whose first deployment already completed (and is in its deployment history). */
  createService(cluster: string, name: string, taskDefinition: string, desiredCount: number, opts?: { circuitBreakerRollback?: boolean }): void;
  /** Instantly completes a deployment of `taskDefinition`, recorded as SUCCESSFUL (for seeding history). */
  deployNow(cluster: string, service: string, taskDefinition: string): void;
  /** Marks the service INACTIVE, like DeleteService. */
  deleteService(cluster: string, service: string): void;
  /** Drops the service deployment history (services older than the API have none). */
  forgetHistory(cluster: string, service: string): void;
  failNext(op: string, error: FakeError, times?: number): void;
  setImageBehaviour(image: string, behaviour: 'healthy' | 'crashloop'): void;
  service(cluster: string, name: string): Wire;
  close(): Promise<void>;
}

interface TaskDef {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  containerDefinitions: Wire[];
  cpu?: string;
  memory?: string;
  registeredAt: number;
  deregisteredAt?: number;
}

interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  launchType: 'FARGATE';
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  /** The service deployment record this deployment reports to. */
  record: ServiceDeploymentRecord;
  /** True for the deployment the circuit breaker started to go back. */
  isRollback?: boolean;
}

interface ServiceDeploymentRecord {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  status: string;
  statusReason?: string;
  targetServiceRevision: { arn: string; requestedTaskCount: number; runningTaskCount: number; pendingTaskCount: number };
  sourceServiceRevisions: { arn: string; requestedTaskCount: number; runningTaskCount: number; pendingTaskCount: number }[];
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  deploymentCircuitBreaker: { status: string; failureCount: number; threshold: number };
}

interface Service {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  createdAt: number;
  circuitBreakerRollback: boolean;
  deployments: Deployment[];
  events: { id: string; createdAt: number; message: string }[];
  history: ServiceDeploymentRecord[];
  /** The service revision of the last deployment that completed; the circuit breaker returns here. */
  lastCompleted?: { taskDefinition: string; revisionArn: string };
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const now = () => Date.now() / 1000;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

export interface FakeEcsOptions {
  tickMs?: number;
  region?: string;
  accountId?: string;
  /** Fixed port (the sandbox); default: any free port. */
  port?: number;
}

export async function startFakeEcs(opts: FakeEcsOptions = {}): Promise<FakeEcs> {
  const region = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? '123456789012';
  const arnPrefix = `arn:aws:ecs:${region}:${accountId}`;

  const taskDefs = new Map<string, TaskDef>();
  const families = new Map<string, number>();
  const clusters = new Set<string>();
  const services = new Map<string, Service>();
  const revisions = new Map<string, Wire>();
  const records = new Map<string, ServiceDeploymentRecord>();
  const imageBehaviour = new Map<string, 'healthy' | 'crashloop'>();
  const failures = new Map<string, { error: FakeError; times: number }>();
  const calls: FakeCall[] = [];
  let revisionCounter = 1_000_000;

  // ---- lookups -------------------------------------------------------------

  const clusterName = (ref: string | undefined) => {
    const name = (ref ?? 'default').replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:cluster\//, '');
    if (!clusters.has(name)) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return name;
  };
  const serviceName = (ref: string) => ref.replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:service\/(?:[^/]+\/)?/, '');
  const findService = (cluster: string | undefined, ref: string): Service => {
    const svc = services.get(`${clusterName(cluster)}/${serviceName(ref)}`);
    if (!svc) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return svc;
  };
  const latestActive = (family: string) =>
    [...taskDefs.values()].filter((t) => t.family === family && t.status === 'ACTIVE').sort((a, b) => b.revision - a.revision)[0];
  /** Accepts `family`, `family:revision` or a full ARN, like the real API. */
  const findTaskDef = (ref: string | undefined): TaskDef | undefined => {
    if (!ref) return undefined;
    const short = ref.replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:task-definition\//, '');
    const [family, revision] = short.split(':');
    if (!family) return undefined;
    if (revision === undefined) return latestActive(family);
    return taskDefs.get(`${arnPrefix}:task-definition/${family}:${revision}`);
  };

  // ---- state changes -------------------------------------------------------

  function registerTaskDefinition(family: string, containers: ContainerSeed[], o: { cpu?: string; memory?: string } = {}) {
    const revision = (families.get(family) ?? 0) + 1;
    families.set(family, revision);
    const taskDefinitionArn = `${arnPrefix}:task-definition/${family}:${revision}`;
    taskDefs.set(taskDefinitionArn, {
      taskDefinitionArn,
      family,
      revision,
      status: 'ACTIVE',
      containerDefinitions: containers.map((c) => ({
        name: c.name,
        image: c.image,
        essential: true,
        portMappings: [],
        environment: [],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': c.logGroup ?? `/ecs/${family}`, 'awslogs-region': region, 'awslogs-stream-prefix': c.name },
        },
      })),
      cpu: o.cpu ?? '512',
      memory: o.memory ?? '1024',
      registeredAt: now(),
    });
    return taskDefinitionArn;
  }

  function newRevision(svc: Service, td: TaskDef) {
    const arn = `${arnPrefix}:service-revision/${svc.clusterName}/${svc.serviceName}/${revisionCounter++}`;
    revisions.set(arn, {
      serviceRevisionArn: arn,
      serviceArn: svc.serviceArn,
      clusterArn: svc.clusterArn,
      taskDefinition: td.taskDefinitionArn,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      containerImages: td.containerDefinitions.map((c) => ({ containerName: c.name, image: c.image, imageDigest: `sha256:${digits(64)}` })),
      createdAt: now(),
    });
    return arn;
  }

  function event(svc: Service, message: string) {
    svc.events.unshift({ id: randomUUID(), createdAt: now(), message: `(service ${svc.serviceName}) ${message}` });
    svc.events.length = Math.min(svc.events.length, 100);
  }

  /** Starts a rolling deployment of `td`: new PRIMARY, earlier deployments become ACTIVE. */
  function startDeployment(svc: Service, td: TaskDef, rollbackOf?: Deployment): Deployment {
    const t = now();
    const revisionArn = newRevision(svc, td);
    const sources = svc.deployments.map((d) => ({
      arn: d.record.targetServiceRevision.arn,
      requestedTaskCount: d.desiredCount,
      runningTaskCount: d.runningCount,
      pendingTaskCount: d.pendingCount,
    }));
    for (const d of svc.deployments) {
      d.status = 'ACTIVE';
      d.updatedAt = t;
      // A deployment superseded before it finished is stopped, like ECS does.
      if (d.rolloutState === 'IN_PROGRESS' && d.record.status === 'IN_PROGRESS') {
        d.record.status = 'STOPPED';
        d.record.statusReason = 'Service deployment stopped because a newer service deployment started.';
        d.record.stoppedAt = t;
        d.record.updatedAt = t;
      }
    }
    const id = `ecs-svc/${digits(19)}`;
    const record: ServiceDeploymentRecord = rollbackOf
      ? rollbackOf.record
      : {
          serviceDeploymentArn: `${arnPrefix}:service-deployment/${svc.clusterName}/${svc.serviceName}/${randomUUID().replace(/-/g, '').slice(0, 22)}`,
          serviceArn: svc.serviceArn,
          clusterArn: svc.clusterArn,
          createdAt: t,
          startedAt: t,
          updatedAt: t,
          status: 'IN_PROGRESS',
          targetServiceRevision: { arn: revisionArn, requestedTaskCount: svc.desiredCount, runningTaskCount: 0, pendingTaskCount: 0 },
          sourceServiceRevisions: sources,
          deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: CRASH_TICKS_BEFORE_FAILURE },
        };
    if (!rollbackOf) {
      records.set(record.serviceDeploymentArn, record);
      svc.history.push(record);
    }
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: td.taskDefinitionArn,
      desiredCount: svc.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: t,
      updatedAt: t,
      launchType: 'FARGATE',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: rollbackOf
        ? `ECS deployment circuit breaker: rolling back to deploymentId ${rollbackOf.id}.`
        : `ECS deployment ${id} in progress.`,
      record,
      isRollback: Boolean(rollbackOf),
    };
    svc.deployments.unshift(deployment);
    svc.taskDefinition = td.taskDefinitionArn;
    event(svc, `has started 0 tasks: deployment ${id} (${td.family}:${td.revision}).`);
    return deployment;
  }

  function completeDeployment(svc: Service, primary: Deployment) {
    const t = now();
    svc.deployments = [primary];
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = t;
    const record = primary.record;
    record.status = primary.isRollback ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
    record.finishedAt = t;
    record.updatedAt = t;
    record.targetServiceRevision.runningTaskCount = primary.runningCount;
    record.deploymentCircuitBreaker.status = primary.isRollback ? 'TRIGGERED' : 'MONITORING_COMPLETE';
    const revisionArn = primary.isRollback ? record.rollback!.serviceRevisionArn : record.targetServiceRevision.arn;
    svc.lastCompleted = { taskDefinition: primary.taskDefinition, revisionArn };
    event(svc, `has reached a steady state.`);
  }

  /** One tick of the rolling update: one task moves from older deployments to the PRIMARY. */
  function advance(svc: Service) {
    const primary = svc.deployments[0];
    if (!primary || svc.status !== 'ACTIVE' || primary.rolloutState !== 'IN_PROGRESS') return;
    const td = taskDefs.get(primary.taskDefinition)!;
    const crashes = td.containerDefinitions.some((c) => imageBehaviour.get(c.image) === 'crashloop');
    const t = now();
    primary.updatedAt = t;
    if (crashes) {
      primary.failedTasks += 1;
      primary.pendingCount = 1;
      primary.record.deploymentCircuitBreaker.failureCount = primary.failedTasks;
      event(svc, `deployment ${primary.id} task failed to start: Essential container in task exited.`);
      if (primary.failedTasks >= CRASH_TICKS_BEFORE_FAILURE) tripCircuitBreaker(svc, primary);
      return;
    }
    const donor = [...svc.deployments].reverse().find((d) => d !== primary && d.runningCount > 0);
    if (donor) donor.runningCount -= 1;
    if (primary.runningCount < primary.desiredCount) primary.runningCount += 1;
    primary.pendingCount = 0;
    primary.record.targetServiceRevision.runningTaskCount = primary.runningCount;
    const drained = svc.deployments.every((d) => d === primary || d.runningCount === 0);
    if (primary.runningCount >= primary.desiredCount && drained) completeDeployment(svc, primary);
  }

  function tripCircuitBreaker(svc: Service, failed: Deployment) {
    const t = now();
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    failed.pendingCount = 0;
    const record = failed.record;
    record.deploymentCircuitBreaker.status = 'TRIGGERED';
    record.updatedAt = t;
    const back = svc.lastCompleted && taskDefs.get(svc.lastCompleted.taskDefinition);
    if (!svc.circuitBreakerRollback || !back) {
      record.status = 'STOPPED';
      record.statusReason = failed.rolloutStateReason;
      record.stoppedAt = t;
      event(svc, `deployment ${failed.id} deployment failed: tasks failed to start.`);
      return;
    }
    record.status = 'ROLLBACK_IN_PROGRESS';
    record.statusReason = 'Service deployment rolled back because the circuit breaker threshold was exceeded.';
    record.rollback = { reason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.', startedAt: t, serviceRevisionArn: svc.lastCompleted!.revisionArn };
    event(svc, `deployment ${failed.id} deployment failed: tasks failed to start. Rolling back to ${back.family}:${back.revision}.`);
    const running = svc.deployments.reduce((n, d) => n + d.runningCount, 0);
    const rollback = startDeployment(svc, back, failed);
    // The tasks still running the old revision carry over to the rollback deployment.
    for (const d of svc.deployments) if (d !== rollback) d.runningCount = 0;
    rollback.runningCount = Math.min(running, rollback.desiredCount);
  }

  function createService(cluster: string, name: string, taskDefinition: string, desiredCount: number, o: { circuitBreakerRollback?: boolean } = {}) {
    clusters.add(cluster);
    const td = findTaskDef(taskDefinition);
    if (!td) throw new Error(`fake ECS: register ${taskDefinition} before createService`);
    const svc: Service = {
      serviceArn: `${arnPrefix}:service/${cluster}/${name}`,
      serviceName: name,
      clusterArn: `${arnPrefix}:cluster/${cluster}`,
      clusterName: cluster,
      status: 'ACTIVE',
      desiredCount,
      taskDefinition: td.taskDefinitionArn,
      createdAt: now(),
      circuitBreakerRollback: o.circuitBreakerRollback ?? true,
      deployments: [],
      events: [],
      history: [],
    };
    services.set(`${cluster}/${name}`, svc);
    deployNow(cluster, name, td.taskDefinitionArn);
  }

  function deployNow(cluster: string, name: string, taskDefinition: string) {
    const svc = findService(cluster, name);
    const td = findTaskDef(taskDefinition);
    if (!td) throw new Error(`fake ECS: no task definition ${taskDefinition}`);
    const d = startDeployment(svc, td);
    for (const other of svc.deployments) other.runningCount = 0;
    d.runningCount = svc.desiredCount;
    completeDeployment(svc, d);
  }

  // ---- wire views ----------------------------------------------------------

  const viewDeployment = (d: Deployment) => {
    const { record: _record, isRollback: _isRollback, ...rest } = d;
    return { ...rest, platformVersion: '1.4.0', platformFamily: 'Linux' };
  };
  const viewService = (svc: Service) => {
    const running = svc.deployments.reduce((n, d) => n + d.runningCount, 0);
    const pending = svc.deployments.reduce((n, d) => n + d.pendingCount, 0);
    const current = svc.deployments[0]?.record;
    return {
      serviceArn: svc.serviceArn,
      serviceName: svc.serviceName,
      clusterArn: svc.clusterArn,
      status: svc.status,
      desiredCount: svc.desiredCount,
      runningCount: running,
      pendingCount: pending,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      platformFamily: 'Linux',
      taskDefinition: svc.taskDefinition,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: svc.circuitBreakerRollback },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: svc.deployments.map(viewDeployment),
      events: svc.events.slice(0, 20),
      createdAt: svc.createdAt,
      currentServiceDeployment: current?.serviceDeploymentArn,
      currentServiceRevisions: svc.deployments.map((d) => ({
        arn: d.isRollback ? d.record.rollback!.serviceRevisionArn : d.record.targetServiceRevision.arn,
        requestedTaskCount: d.desiredCount,
        runningTaskCount: d.runningCount,
        pendingTaskCount: d.pendingCount,
      })),
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      createdBy: `arn:aws:iam::${accountId}:role/deployer`,
      enableECSManagedTags: true,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
    };
  };
  const viewTaskDef = (t: TaskDef) => ({
    taskDefinitionArn: t.taskDefinitionArn,
    family: t.family,
    revision: t.revision,
    status: t.status,
    containerDefinitions: t.containerDefinitions,
    cpu: t.cpu,
    memory: t.memory,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: t.registeredAt,
    registeredBy: `arn:aws:iam::${accountId}:role/deployer`,
    ...(t.deregisteredAt ? { deregisteredAt: t.deregisteredAt } : {}),
  });
  const viewBrief = (r: ServiceDeploymentRecord) => ({
    serviceDeploymentArn: r.serviceDeploymentArn,
    serviceArn: r.serviceArn,
    clusterArn: r.clusterArn,
    startedAt: r.startedAt,
    createdAt: r.createdAt,
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    targetServiceRevisionArn: r.targetServiceRevision.arn,
    status: r.status,
    ...(r.statusReason ? { statusReason: r.statusReason } : {}),
  });

  // ---- operations ----------------------------------------------------------

  const page = <T>(items: T[], input: Wire, max: number) => {
    const start = Number(input.nextToken ?? 0) || 0;
    const size = Math.min(Number(input.maxResults ?? max) || max, max);
    const slice = items.slice(start, start + size);
    return { slice, nextToken: start + size < items.length ? String(start + size) : undefined };
  };

  const ops: Record<string, (input: Wire) => unknown> = {
    DescribeServices(input) {
      const cluster = clusterName(input.cluster);
      const found: unknown[] = [];
      const missing: unknown[] = [];
      for (const ref of input.services ?? []) {
        const svc = services.get(`${cluster}/${serviceName(ref)}`);
        if (svc) found.push(viewService(svc));
        else missing.push({ arn: `${arnPrefix}:service/${cluster}/${serviceName(ref)}`, reason: 'MISSING' });
      }
      return { services: found, failures: missing };
    },
    UpdateService(input) {
      const svc = findService(input.cluster, input.service);
      if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
      if (typeof input.desiredCount === 'number') svc.desiredCount = input.desiredCount;
      let td = taskDefs.get(svc.taskDefinition)!;
      if (input.taskDefinition !== undefined) {
        const wanted = findTaskDef(input.taskDefinition);
        if (!wanted) throw new AwsError('ClientException', 'Unable to describe task definition.');
        if (wanted.status !== 'ACTIVE') throw new AwsError('ClientException', `TaskDefinition is inactive`);
        td = wanted;
      }
      if (td.taskDefinitionArn !== svc.taskDefinition || input.forceNewDeployment) startDeployment(svc, td);
      else for (const d of svc.deployments) d.desiredCount = svc.desiredCount;
      return { service: viewService(svc) };
    },
    DescribeTaskDefinition(input) {
      const td = findTaskDef(input.taskDefinition);
      if (!td) throw new AwsError('ClientException', 'Unable to describe task definition.');
      return { taskDefinition: viewTaskDef(td), tags: [] };
    },
    ListTaskDefinitions(input) {
      const status = input.status ?? 'ACTIVE';
      const dir = input.sort === 'DESC' ? -1 : 1;
      const all = [...taskDefs.values()]
        .filter((t) => t.status === status && (!input.familyPrefix || t.family === input.familyPrefix))
        .sort((a, b) => dir * (a.family.localeCompare(b.family) || a.revision - b.revision));
      const { slice, nextToken } = page(all, input, 100);
      return { taskDefinitionArns: slice.map((t) => t.taskDefinitionArn), ...(nextToken ? { nextToken } : {}) };
    },
    RegisterTaskDefinition(input) {
      const arn = registerTaskDefinition(
        input.family,
        (input.containerDefinitions ?? []).map((c: Wire) => ({ name: c.name, image: c.image })),
        { cpu: input.cpu, memory: input.memory },
      );
      return { taskDefinition: viewTaskDef(taskDefs.get(arn)!), tags: [] };
    },
    DeregisterTaskDefinition(input) {
      const td = findTaskDef(input.taskDefinition);
      if (!td) throw new AwsError('ClientException', 'The specified task definition does not exist.');
      td.status = 'INACTIVE';
      td.deregisteredAt = now();
      return { taskDefinition: viewTaskDef(td) };
    },
    ListServiceDeployments(input) {
      const svc = findService(input.cluster, input.service);
      const wanted: string[] | undefined = input.status;
      // Newest first; reversing first keeps records created in the same millisecond in order.
      const all = [...svc.history]
        .reverse()
        .filter((r) => !wanted?.length || wanted.includes(r.status))
        .sort((a, b) => b.createdAt - a.createdAt);
      const { slice, nextToken } = page(all, input, 100);
      return { serviceDeployments: slice.map(viewBrief), ...(nextToken ? { nextToken } : {}) };
    },
    DescribeServiceDeployments(input) {
      const arns: string[] = input.serviceDeploymentArns ?? [];
      if (arns.length > 20) throw new AwsError('InvalidParameterException', 'Too many service deployment ARNs (the limit is 20).');
      return {
        serviceDeployments: arns.flatMap((a) => (records.has(a) ? [records.get(a)] : [])),
        failures: arns.filter((a) => !records.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },
    DescribeServiceRevisions(input) {
      const arns: string[] = input.serviceRevisionArns ?? [];
      if (arns.length > 20) throw new AwsError('InvalidParameterException', 'Too many service revision ARNs (the limit is 20).');
      return {
        serviceRevisions: arns.flatMap((a) => (revisions.has(a) ? [revisions.get(a)] : [])),
        failures: arns.filter((a) => !revisions.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },
  };

  // ---- HTTP ----------------------------------------------------------------

  function send(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (req.method !== 'POST' || !op) {
      return send(res, 400, { __type: 'UnknownOperationException', message: `Expected POST with X-Amz-Target ${TARGET_PREFIX}<Operation>` });
    }
    let input: Wire;
    try {
      input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'Request body is not JSON.' });
    }
    calls.push({ op, input, at: Date.now() });
    const planned = failures.get(op);
    if (planned && planned.times > 0) {
      planned.times -= 1;
      return send(res, planned.error.status ?? 400, { __type: planned.error.type, message: planned.error.message });
    }
    const fn = ops[op];
    if (!fn) return send(res, 400, { __type: 'UnknownOperationException', message: `The fake ECS does not implement ${op}.` });
    try {
      send(res, 200, fn(input));
    } catch (error) {
      if (error instanceof AwsError) return send(res, error.status, { __type: error.type, message: error.message });
      send(res, 500, { __type: 'ServerException', message: String(error) });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, { __type: 'ServerException', message: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  let tickMs = opts.tickMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearInterval(timer);
    timer = setInterval(() => {
      for (const svc of services.values()) advance(svc);
    }, tickMs);
    timer.unref();
  };
  schedule();

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    accountId,
    calls,
    callsTo: (op) => calls.filter((c) => c.op === op),
    get tickMs() {
      return tickMs;
    },
    set tickMs(value: number) {
      tickMs = value;
      schedule();
    },
    registerTaskDefinition,
    deregisterTaskDefinition(ref) {
      ops.DeregisterTaskDefinition!({ taskDefinition: ref });
    },
    createService,
    deployNow,
    deleteService(cluster, name) {
      const svc = findService(cluster, name);
      svc.status = 'INACTIVE';
      svc.desiredCount = 0;
      for (const d of svc.deployments) d.runningCount = 0;
    },
    forgetHistory(cluster, name) {
      findService(cluster, name).history = [];
    },
    failNext(op, error, times = 1) {
      failures.set(op, { error, times });
    },
    setImageBehaviour(image, behaviour) {
      imageBehaviour.set(image, behaviour);
    },
    service(cluster, name) {
      return viewService(findService(cluster, name));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
