import { randomUUID } from 'node:crypto';
import { jsonResponse, jsonRoute } from './json.js';
import { AwsError, AwsFake, type Fault, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';

/**
 * A wire-level Amazon ECS fake: AWS JSON 1.1 over HTTP (POST /, X-Amz-Target
 * `AmazonEC2ContainerServiceV20141113.<Op>`), with a rolling-deployment state machine
 * that advances one task per tick, a deployment circuit breaker and the service
 * deployment history (ListServiceDeployments / DescribeServiceRevisions).
 * The sandbox runs it with a slow tick.
 */

/** Request and response JSON; the real SDK on the other side is what checks its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Wire = any;

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
/** Ticks a crash-looping deployment survives before the circuit breaker trips. */
const CRASH_TICKS_BEFORE_FAILURE = 3;

/** An injected error as the ECS tests write it (`failNext` also takes the servers' `Fault`). */
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
  minimumHealthyPercent: number;
  maximumPercent: number;
  /** Tasks the cluster has room for; undefined: unlimited. A rolling update that needs more is stuck. */
  capacity?: number;
  deployments: Deployment[];
  events: { id: string; createdAt: number; message: string }[];
  history: ServiceDeploymentRecord[];
  /** The service revision of the last deployment that completed; the circuit breaker returns here. */
  lastCompleted?: { taskDefinition: string; revisionArn: string };
}

const now = () => Date.now() / 1000;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

export interface EcsFakeOptions extends FakeOptions {
  /** How often the deployment state machine advances (default 50 ms). */
  tickMs?: number;
  region?: string;
  accountId?: string;
}

export class EcsFake extends AwsFake {
  readonly region: string;
  readonly accountId: string;
  private readonly arnPrefix: string;
  private readonly taskDefs = new Map<string, TaskDef>();
  private readonly families = new Map<string, number>();
  private readonly clusters = new Set<string>();
  private readonly services = new Map<string, Service>();
  private readonly revisions = new Map<string, Wire>();
  private readonly records = new Map<string, ServiceDeploymentRecord>();
  private readonly imageBehaviour = new Map<string, 'healthy' | 'crashloop'>();
  private revisionCounter = 1_000_000;
  private tick: number;
  private timer?: NodeJS.Timeout;

  constructor(options: EcsFakeOptions = {}) {
    super(options);
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.arnPrefix = `arn:aws:ecs:${this.region}:${this.accountId}`;
    this.tick = options.tickMs ?? 50;
  }

  static start(options?: EcsFakeOptions): Promise<EcsFake> {
    return new EcsFake(options).start();
  }

  override async start(): Promise<this> {
    await super.start();
    this.schedule();
    return this;
  }

  override async close(): Promise<void> {
    clearInterval(this.timer);
    await super.close();
  }

  /** How often the deployment state machine advances; changeable at runtime. */
  get tickMs(): number {
    return this.tick;
  }

  set tickMs(value: number) {
    this.tick = value;
    this.schedule();
  }

  private schedule() {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      for (const svc of this.services.values()) this.advance(svc);
    }, this.tick);
    this.timer.unref();
  }

  /** Also takes the error as `{ type, message, status? }`. */
  override failNext(op: string, error: string | Fault | FakeError, times = 1): this {
    const fault = typeof error === 'object' && 'type' in error ? { code: error.type, message: error.message, status: error.status } : error;
    return super.failNext(op, fault, times);
  }

  // ---- seeding -------------------------------------------------------------

  registerTaskDefinition(family: string, containers: ContainerSeed[], o: { cpu?: string; memory?: string } = {}): string {
    const revision = (this.families.get(family) ?? 0) + 1;
    this.families.set(family, revision);
    const taskDefinitionArn = `${this.arnPrefix}:task-definition/${family}:${revision}`;
    this.taskDefs.set(taskDefinitionArn, {
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
          options: { 'awslogs-group': c.logGroup ?? `/ecs/${family}`, 'awslogs-region': this.region, 'awslogs-stream-prefix': c.name },
        },
      })),
      cpu: o.cpu ?? '512',
      memory: o.memory ?? '1024',
      registeredAt: now(),
    });
    return taskDefinitionArn;
  }

  deregisterTaskDefinition(taskDefinition: string): void {
    this.operations.DeregisterTaskDefinition!({ taskDefinition });
  }

  /** A service whose first deployment already completed (and is in its deployment history). */
  createService(cluster: string, name: string, taskDefinition: string, desiredCount: number, o: { circuitBreakerRollback?: boolean } = {}): void {
    this.clusters.add(cluster);
    const td = this.findTaskDef(taskDefinition);
    if (!td) throw new Error(`fake ECS: register ${taskDefinition} before createService`);
    const svc: Service = {
      serviceArn: `${this.arnPrefix}:service/${cluster}/${name}`,
      serviceName: name,
      clusterArn: `${this.arnPrefix}:cluster/${cluster}`,
      clusterName: cluster,
      status: 'ACTIVE',
      desiredCount,
      taskDefinition: td.taskDefinitionArn,
      createdAt: now(),
      circuitBreakerRollback: o.circuitBreakerRollback ?? true,
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deployments: [],
      events: [],
      history: [],
    };
    this.services.set(`${cluster}/${name}`, svc);
    this.deployNow(cluster, name, td.taskDefinitionArn);
  }

  /** Instantly completes a deployment of `taskDefinition`, recorded as SUCCESSFUL (for seeding history). */
  deployNow(cluster: string, name: string, taskDefinition: string): void {
    const svc = this.findService(cluster, name);
    const td = this.findTaskDef(taskDefinition);
    if (!td) throw new Error(`fake ECS: no task definition ${taskDefinition}`);
    const d = this.startDeployment(svc, td);
    for (const other of svc.deployments) other.runningCount = 0;
    d.runningCount = svc.desiredCount;
    this.completeDeployment(svc, d);
  }

  /** Marks the service INACTIVE, like DeleteService. */
  deleteService(cluster: string, name: string): void {
    const svc = this.findService(cluster, name);
    svc.status = 'INACTIVE';
    svc.desiredCount = 0;
    for (const d of svc.deployments) d.runningCount = 0;
  }

  /** Drops the service deployment history (services older than the API have none). */
  forgetHistory(cluster: string, name: string): void {
    this.findService(cluster, name).history = [];
  }

  /**
   * Room for `tasks` tasks in the cluster (undefined: unlimited). A rolling update with
   * minimumHealthyPercent > 0 must start a new task before it stops an old one, so a full cluster
   * leaves it stuck; with minimumHealthyPercent 0 the old tasks stop first and it goes through.
   */
  setCapacity(cluster: string, name: string, tasks: number | undefined): void {
    this.findService(cluster, name).capacity = tasks;
  }

  setImageBehaviour(image: string, behaviour: 'healthy' | 'crashloop'): void {
    this.imageBehaviour.set(image, behaviour);
  }

  /** The service as DescribeServices shows it. */
  service(cluster: string, name: string): Wire {
    return this.viewService(this.findService(cluster, name));
  }

  // ---- lookups -------------------------------------------------------------

  private clusterName(ref: string | undefined) {
    const name = (ref ?? 'default').replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:cluster\//, '');
    if (!this.clusters.has(name)) throw new AwsError('ClusterNotFoundException', 400, 'Cluster not found.');
    return name;
  }

  private serviceName(ref: string) {
    return ref.replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:service\/(?:[^/]+\/)?/, '');
  }

  private findService(cluster: string | undefined, ref: string): Service {
    const svc = this.services.get(`${this.clusterName(cluster)}/${this.serviceName(ref)}`);
    if (!svc) throw new AwsError('ServiceNotFoundException', 400, 'Service not found.');
    return svc;
  }

  private latestActive(family: string) {
    return [...this.taskDefs.values()].filter((t) => t.family === family && t.status === 'ACTIVE').sort((a, b) => b.revision - a.revision)[0];
  }

  /** Accepts `family`, `family:revision` or a full ARN, like the real API. */
  private findTaskDef(ref: string | undefined): TaskDef | undefined {
    if (!ref) return undefined;
    const short = ref.replace(/^arn:aws[\w-]*:ecs:[^:]+:\d+:task-definition\//, '');
    const [family, revision] = short.split(':');
    if (!family) return undefined;
    if (revision === undefined) return this.latestActive(family);
    return this.taskDefs.get(`${this.arnPrefix}:task-definition/${family}:${revision}`);
  }

  // ---- state changes -------------------------------------------------------

  private newRevision(svc: Service, td: TaskDef) {
    const arn = `${this.arnPrefix}:service-revision/${svc.clusterName}/${svc.serviceName}/${this.revisionCounter++}`;
    this.revisions.set(arn, {
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

  private event(svc: Service, message: string) {
    svc.events.unshift({ id: randomUUID(), createdAt: now(), message: `(service ${svc.serviceName}) ${message}` });
    svc.events.length = Math.min(svc.events.length, 100);
  }

  /** Starts a rolling deployment of `td`: new PRIMARY, earlier deployments become ACTIVE. */
  private startDeployment(svc: Service, td: TaskDef, rollbackOf?: Deployment): Deployment {
    const t = now();
    const revisionArn = this.newRevision(svc, td);
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
          serviceDeploymentArn: `${this.arnPrefix}:service-deployment/${svc.clusterName}/${svc.serviceName}/${randomUUID().replace(/-/g, '').slice(0, 22)}`,
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
      this.records.set(record.serviceDeploymentArn, record);
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
      rolloutStateReason: rollbackOf ? `ECS deployment circuit breaker: rolling back to deploymentId ${rollbackOf.id}.` : `ECS deployment ${id} in progress.`,
      record,
      isRollback: Boolean(rollbackOf),
    };
    svc.deployments.unshift(deployment);
    svc.taskDefinition = td.taskDefinitionArn;
    this.event(svc, `has started 0 tasks: deployment ${id} (${td.family}:${td.revision}).`);
    return deployment;
  }

  private completeDeployment(svc: Service, primary: Deployment) {
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
    this.event(svc, `has reached a steady state.`);
  }

  /** One tick of the rolling update: one task moves from older deployments to the PRIMARY. */
  private advance(svc: Service) {
    const primary = svc.deployments[0];
    if (!primary || svc.status !== 'ACTIVE' || primary.rolloutState !== 'IN_PROGRESS') return;
    const td = this.taskDefs.get(primary.taskDefinition)!;
    const crashes = td.containerDefinitions.some((c) => this.imageBehaviour.get(c.image) === 'crashloop');
    const t = now();
    primary.updatedAt = t;
    if (crashes) {
      primary.failedTasks += 1;
      primary.pendingCount = 1;
      primary.record.deploymentCircuitBreaker.failureCount = primary.failedTasks;
      this.event(svc, `deployment ${primary.id} task failed to start: Essential container in task exited.`);
      if (primary.failedTasks >= CRASH_TICKS_BEFORE_FAILURE) this.tripCircuitBreaker(svc, primary);
      return;
    }
    const older = svc.deployments.filter((d) => d !== primary && d.runningCount > 0);
    if (svc.minimumHealthyPercent === 0 && older.length) {
      // Nothing has to stay healthy: the scheduler stops every old task at once.
      for (const d of older) d.runningCount = 0;
      this.event(svc, `has stopped all running tasks: deployment ${primary.id} runs with minimumHealthyPercent 0.`);
      return;
    }
    const running = svc.deployments.reduce((n, d) => n + d.runningCount, 0);
    if (svc.capacity !== undefined && running >= svc.capacity) {
      primary.pendingCount = 1;
      this.event(svc, `was unable to place a task because no container instance met all of its requirements.`);
      return;
    }
    const donor = older.at(-1);
    if (donor) donor.runningCount -= 1;
    if (primary.runningCount < primary.desiredCount) primary.runningCount += 1;
    primary.pendingCount = 0;
    primary.record.targetServiceRevision.runningTaskCount = primary.runningCount;
    const drained = svc.deployments.every((d) => d === primary || d.runningCount === 0);
    if (primary.runningCount >= primary.desiredCount && drained) this.completeDeployment(svc, primary);
  }

  private tripCircuitBreaker(svc: Service, failed: Deployment) {
    const t = now();
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    failed.pendingCount = 0;
    const record = failed.record;
    record.deploymentCircuitBreaker.status = 'TRIGGERED';
    record.updatedAt = t;
    const back = svc.lastCompleted && this.taskDefs.get(svc.lastCompleted.taskDefinition);
    if (!svc.circuitBreakerRollback || !back) {
      record.status = 'STOPPED';
      record.statusReason = failed.rolloutStateReason;
      record.stoppedAt = t;
      this.event(svc, `deployment ${failed.id} deployment failed: tasks failed to start.`);
      return;
    }
    record.status = 'ROLLBACK_IN_PROGRESS';
    record.statusReason = 'Service deployment rolled back because the circuit breaker threshold was exceeded.';
    record.rollback = {
      reason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
      startedAt: t,
      serviceRevisionArn: svc.lastCompleted!.revisionArn,
    };
    this.event(svc, `deployment ${failed.id} deployment failed: tasks failed to start. Rolling back to ${back.family}:${back.revision}.`);
    const running = svc.deployments.reduce((n, d) => n + d.runningCount, 0);
    const rollback = this.startDeployment(svc, back, failed);
    // The tasks still running the old revision carry over to the rollback deployment.
    for (const d of svc.deployments) if (d !== rollback) d.runningCount = 0;
    rollback.runningCount = Math.min(running, rollback.desiredCount);
  }

  // ---- wire views ----------------------------------------------------------

  private viewDeployment(d: Deployment) {
    const { record: _record, isRollback: _isRollback, ...rest } = d;
    return { ...rest, platformVersion: '1.4.0', platformFamily: 'Linux' };
  }

  private viewService(svc: Service) {
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
        maximumPercent: svc.maximumPercent,
        minimumHealthyPercent: svc.minimumHealthyPercent,
      },
      deployments: svc.deployments.map((d) => this.viewDeployment(d)),
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
      createdBy: `arn:aws:iam::${this.accountId}:role/deployer`,
      enableECSManagedTags: true,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
    };
  }

  private viewTaskDef(t: TaskDef) {
    return {
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
      registeredBy: `arn:aws:iam::${this.accountId}:role/deployer`,
      ...(t.deregisteredAt ? { deregisteredAt: t.deregisteredAt } : {}),
    };
  }

  // ---- operations ----------------------------------------------------------

  protected route(req: FakeRequest): Route | undefined {
    return jsonRoute(req, TARGET_PREFIX, this.operations);
  }

  protected renderError(error: AwsError): FakeResponse {
    return jsonResponse({ __type: error.code, message: error.message }, error.status);
  }

  private readonly operations: Record<string, (input: Wire) => unknown> = {
    DescribeServices: (input) => {
      const cluster = this.clusterName(input.cluster);
      const found: unknown[] = [];
      const missing: unknown[] = [];
      for (const ref of input.services ?? []) {
        const svc = this.services.get(`${cluster}/${this.serviceName(ref)}`);
        if (svc) found.push(this.viewService(svc));
        else missing.push({ arn: `${this.arnPrefix}:service/${cluster}/${this.serviceName(ref)}`, reason: 'MISSING' });
      }
      return { services: found, failures: missing };
    },
    UpdateService: (input) => {
      const svc = this.findService(input.cluster, input.service);
      if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 400, 'Service was not ACTIVE.');
      if (typeof input.desiredCount === 'number') svc.desiredCount = input.desiredCount;
      const config = input.deploymentConfiguration;
      if (typeof config?.minimumHealthyPercent === 'number') svc.minimumHealthyPercent = config.minimumHealthyPercent;
      if (typeof config?.maximumPercent === 'number') svc.maximumPercent = config.maximumPercent;
      if (typeof config?.deploymentCircuitBreaker?.rollback === 'boolean') svc.circuitBreakerRollback = config.deploymentCircuitBreaker.rollback;
      let td = this.taskDefs.get(svc.taskDefinition)!;
      if (input.taskDefinition !== undefined) {
        const wanted = this.findTaskDef(input.taskDefinition);
        if (!wanted) throw new AwsError('ClientException', 400, 'Unable to describe task definition.');
        if (wanted.status !== 'ACTIVE') throw new AwsError('ClientException', 400, `TaskDefinition is inactive`);
        td = wanted;
      }
      if (td.taskDefinitionArn !== svc.taskDefinition || input.forceNewDeployment) this.startDeployment(svc, td);
      else for (const d of svc.deployments) d.desiredCount = svc.desiredCount;
      return { service: this.viewService(svc) };
    },
    DescribeTaskDefinition: (input) => {
      const td = this.findTaskDef(input.taskDefinition);
      if (!td) throw new AwsError('ClientException', 400, 'Unable to describe task definition.');
      return { taskDefinition: this.viewTaskDef(td), tags: [] };
    },
    ListTaskDefinitions: (input) => {
      const status = input.status ?? 'ACTIVE';
      const dir = input.sort === 'DESC' ? -1 : 1;
      const all = [...this.taskDefs.values()]
        .filter((t) => t.status === status && (!input.familyPrefix || t.family === input.familyPrefix))
        .sort((a, b) => dir * (a.family.localeCompare(b.family) || a.revision - b.revision));
      const { slice, nextToken } = page(all, input, 100);
      return { taskDefinitionArns: slice.map((t) => t.taskDefinitionArn), ...(nextToken ? { nextToken } : {}) };
    },
    RegisterTaskDefinition: (input) => {
      const arn = this.registerTaskDefinition(
        input.family,
        (input.containerDefinitions ?? []).map((c: Wire) => ({ name: c.name, image: c.image })),
        { cpu: input.cpu, memory: input.memory },
      );
      return { taskDefinition: this.viewTaskDef(this.taskDefs.get(arn)!), tags: [] };
    },
    DeregisterTaskDefinition: (input) => {
      const td = this.findTaskDef(input.taskDefinition);
      if (!td) throw new AwsError('ClientException', 400, 'The specified task definition does not exist.');
      td.status = 'INACTIVE';
      td.deregisteredAt = now();
      return { taskDefinition: this.viewTaskDef(td) };
    },
    ListServiceDeployments: (input) => {
      const svc = this.findService(input.cluster, input.service);
      const wanted: string[] | undefined = input.status;
      // Newest first; reversing first keeps records created in the same millisecond in order.
      const all = [...svc.history]
        .reverse()
        .filter((r) => !wanted?.length || wanted.includes(r.status))
        .sort((a, b) => b.createdAt - a.createdAt);
      const { slice, nextToken } = page(all, input, 100);
      return { serviceDeployments: slice.map(viewBrief), ...(nextToken ? { nextToken } : {}) };
    },
    DescribeServiceDeployments: (input) => {
      const arns: string[] = input.serviceDeploymentArns ?? [];
      if (arns.length > 20) throw new AwsError('InvalidParameterException', 400, 'Too many service deployment ARNs (the limit is 20).');
      return {
        serviceDeployments: arns.flatMap((a) => (this.records.has(a) ? [this.records.get(a)] : [])),
        failures: arns.filter((a) => !this.records.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },
    DescribeServiceRevisions: (input) => {
      const arns: string[] = input.serviceRevisionArns ?? [];
      if (arns.length > 20) throw new AwsError('InvalidParameterException', 400, 'Too many service revision ARNs (the limit is 20).');
      return {
        serviceRevisions: arns.flatMap((a) => (this.revisions.has(a) ? [this.revisions.get(a)] : [])),
        failures: arns.filter((a) => !this.revisions.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },
  };
}

function viewBrief(r: ServiceDeploymentRecord) {
  return {
    serviceDeploymentArn: r.serviceDeploymentArn,
    serviceArn: r.serviceArn,
    clusterArn: r.clusterArn,
    startedAt: r.startedAt,
    createdAt: r.createdAt,
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    targetServiceRevisionArn: r.targetServiceRevision.arn,
    status: r.status,
    ...(r.statusReason ? { statusReason: r.statusReason } : {}),
  };
}

function page<T>(items: T[], input: Wire, max: number) {
  const start = Number(input.nextToken ?? 0) || 0;
  const size = Math.min(Number(input.maxResults ?? max) || max, max);
  const slice = items.slice(start, start + size);
  return { slice, nextToken: start + size < items.length ? String(start + size) : undefined };
}

/** The ECS fake under the names the tests and the sandbox use. */
export type FakeEcs = EcsFake;

export function startFakeEcs(options: EcsFakeOptions = {}): Promise<EcsFake> {
  return EcsFake.start(options);
}
