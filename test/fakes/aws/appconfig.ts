import { AwsError, AwsFake, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';

type State = 'BAKING' | 'VALIDATING' | 'DEPLOYING' | 'COMPLETE' | 'ROLLING_BACK' | 'ROLLED_BACK' | 'REVERTED';

export interface FakeDeployment {
  applicationId: string;
  environmentId: string;
  number: number;
  profileId: string;
  version: string;
  strategyId: string;
  description: string;
  startedAt: Date;
  /** Time at which the deployment reaches its final state. */
  endsAt: number;
  /** COMPLETE, or ROLLED_BACK when the fake was told to roll it back. */
  outcome: 'COMPLETE' | 'ROLLED_BACK';
}

interface Profile {
  name: string;
  versions: Set<string>;
}

export interface AppConfigFakeOptions extends FakeOptions {
  /** How long a deployment stays DEPLOYING before it ends. */
  deploymentDelayMs?: number;
}

/**
 * AppConfig deployments (REST-JSON): StartDeployment, GetDeployment, ListDeployments.
 * One deployment at a time per environment, as in AppConfig (ConflictException otherwise).
 */
export class AppConfigFake extends AwsFake {
  readonly deployments: FakeDeployment[] = [];
  deploymentDelayMs: number;
  private readonly apps = new Map<string, { environments: Set<string>; profiles: Map<string, Profile> }>();
  private readonly strategies = new Set<string>();
  private rollBacks = 0;

  constructor(options: AppConfigFakeOptions = {}) {
    super(options);
    this.deploymentDelayMs = options.deploymentDelayMs ?? 0;
  }

  static start(options?: AppConfigFakeOptions): Promise<AppConfigFake> {
    return new AppConfigFake(options).start();
  }

  /** Seeds an application with its environments, hosted profiles (id → name and versions) and strategies. */
  addApplication(id: string, seed: { environments: string[]; profiles: Record<string, { name: string; versions: string[] }>; strategies?: string[] }): this {
    const profiles = new Map(Object.entries(seed.profiles).map(([pid, p]) => [pid, { name: p.name, versions: new Set(p.versions) }]));
    this.apps.set(id, { environments: new Set(seed.environments), profiles });
    for (const s of seed.strategies ?? []) this.strategies.add(s);
    return this;
  }

  /** Seeds a finished deployment (history for `revert`). */
  seedDeployment(applicationId: string, environmentId: string, profileId: string, version: string, at = new Date()): FakeDeployment {
    const d = this.record(applicationId, environmentId, profileId, version, 'seed', 'seeded');
    d.startedAt = at;
    d.endsAt = at.getTime();
    return d;
  }

  /** The next `times` deployments roll back (as if an alarm fired) instead of completing. */
  rollBackNext(times = 1): this {
    this.rollBacks = times;
    return this;
  }

  /** DEPLOYING until it ends; a deployment headed for ROLLED_BACK spends its second half ROLLING_BACK. */
  state(d: FakeDeployment): State {
    const now = Date.now();
    if (now >= d.endsAt) return d.outcome;
    const halfway = (d.startedAt.getTime() + d.endsAt) / 2;
    return d.outcome === 'ROLLED_BACK' && now >= halfway ? 'ROLLING_BACK' : 'DEPLOYING';
  }

  protected route(req: FakeRequest): Route | undefined {
    const m = /^\/applications\/([^/]+)\/environments\/([^/]+)\/deployments(?:\/(\d+))?$/.exec(req.path);
    if (!m) return undefined;
    const app = decodeURIComponent(m[1]!);
    const env = decodeURIComponent(m[2]!);
    if (req.method === 'POST' && !m[3]) {
      const input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, string>;
      return { op: 'StartDeployment', input: { ApplicationId: app, EnvironmentId: env, ...input }, run: () => this.startDeployment(app, env, input) };
    }
    if (req.method === 'GET' && m[3]) {
      const number = Number(m[3]);
      return { op: 'GetDeployment', input: { ApplicationId: app, EnvironmentId: env, DeploymentNumber: number }, run: () => this.get(app, env, number) };
    }
    if (req.method === 'GET') return { op: 'ListDeployments', input: { ApplicationId: app, EnvironmentId: env }, run: () => this.list(app, env, req.query) };
    return undefined;
  }

  private app(applicationId: string, environmentId: string) {
    const app = this.apps.get(applicationId);
    if (!app) throw new AwsError('ResourceNotFoundException', 404, `Application ${applicationId} not found`);
    if (!app.environments.has(environmentId)) throw new AwsError('ResourceNotFoundException', 404, `Environment ${environmentId} not found`);
    return app;
  }

  private record(applicationId: string, environmentId: string, profileId: string, version: string, strategyId: string, description: string): FakeDeployment {
    const inEnv = this.deployments.filter((d) => d.applicationId === applicationId && d.environmentId === environmentId);
    const d: FakeDeployment = {
      applicationId,
      environmentId,
      number: inEnv.length + 1,
      profileId,
      version,
      strategyId,
      description,
      startedAt: new Date(),
      endsAt: Date.now() + this.deploymentDelayMs,
      outcome: 'COMPLETE',
    };
    this.deployments.push(d);
    return d;
  }

  private startDeployment(applicationId: string, environmentId: string, input: Record<string, string>): FakeResponse {
    const app = this.app(applicationId, environmentId);
    const profileId = input.ConfigurationProfileId ?? '';
    const profile = app.profiles.get(profileId);
    if (!profile) throw new AwsError('ResourceNotFoundException', 404, `Configuration profile ${profileId} not found`);
    if (!this.strategies.has(input.DeploymentStrategyId ?? ''))
      throw new AwsError('ResourceNotFoundException', 404, `Deployment strategy ${input.DeploymentStrategyId} not found`);
    const version = input.ConfigurationVersion ?? '';
    if (!profile.versions.has(version))
      throw new AwsError('BadRequestException', 400, `Configuration version ${version} of profile ${profileId} does not exist`);
    const running = this.deployments.find((d) => d.applicationId === applicationId && d.environmentId === environmentId && Date.now() < d.endsAt);
    if (running) throw new AwsError('ConflictException', 409, `Deployment #${running.number} is already in progress for environment ${environmentId}`);
    const d = this.record(applicationId, environmentId, profileId, version, input.DeploymentStrategyId!, input.Description ?? '');
    if (this.rollBacks > 0) {
      this.rollBacks -= 1;
      d.outcome = 'ROLLED_BACK';
    }
    return json(this.wire(d, profile), 201);
  }

  private find(applicationId: string, environmentId: string, number: number) {
    const app = this.app(applicationId, environmentId);
    const d = this.deployments.find((x) => x.applicationId === applicationId && x.environmentId === environmentId && x.number === number);
    if (!d) throw new AwsError('ResourceNotFoundException', 404, `Deployment ${number} not found`);
    return { d, profile: app.profiles.get(d.profileId)! };
  }

  private get(applicationId: string, environmentId: string, number: number): FakeResponse {
    const { d, profile } = this.find(applicationId, environmentId, number);
    return json(this.wire(d, profile));
  }

  private list(applicationId: string, environmentId: string, query: URLSearchParams): FakeResponse {
    const app = this.app(applicationId, environmentId);
    const all = this.deployments.filter((d) => d.applicationId === applicationId && d.environmentId === environmentId).reverse();
    const max = Number(query.get('max_results') ?? 50);
    const start = Number(query.get('next_token') ?? 0);
    const page = all.slice(start, start + max);
    const items = page.map((d) => {
      const {
        ApplicationId: _a,
        EnvironmentId: _e,
        DeploymentStrategyId: _s,
        ConfigurationProfileId: _p,
        Description: _d,
        EventLog: _l,
        ...summary
      } = this.wire(d, app.profiles.get(d.profileId)!);
      return summary;
    });
    return json({ Items: items, ...(start + max < all.length ? { NextToken: String(start + max) } : {}) });
  }

  private wire(d: FakeDeployment, profile: Profile) {
    const state = this.state(d);
    const done = state === 'COMPLETE' || state === 'ROLLED_BACK';
    const span = d.endsAt - d.startedAt.getTime();
    const elapsed = span > 0 ? Math.min(1, (Date.now() - d.startedAt.getTime()) / span) : 1;
    return {
      ApplicationId: d.applicationId,
      EnvironmentId: d.environmentId,
      DeploymentStrategyId: d.strategyId,
      ConfigurationProfileId: d.profileId,
      DeploymentNumber: d.number,
      ConfigurationName: profile.name,
      ConfigurationLocationUri: 'hosted',
      ConfigurationVersion: d.version,
      Description: d.description,
      DeploymentDurationInMinutes: 0,
      GrowthType: 'LINEAR',
      GrowthFactor: 100,
      FinalBakeTimeInMinutes: 0,
      State: state,
      EventLog: [],
      PercentageComplete: state === 'COMPLETE' ? 100 : state === 'ROLLED_BACK' ? 0 : Math.round(elapsed * 100),
      StartedAt: d.startedAt.toISOString(),
      ...(done ? { CompletedAt: new Date(d.endsAt).toISOString() } : {}),
    };
  }

  protected renderError(error: AwsError): FakeResponse {
    return { ...json({ Message: error.message }, error.status), headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code } };
  }
}

function json(body: unknown, status = 200): FakeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
