import { randomUUID } from 'node:crypto';
import { AwsError, AwsFake, requestId, xmlDocument, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';
import { escapeXml } from './xml.js';

/**
 * A wire-level Amazon RDS fake: the AWS query protocol (POST form `Action=...&Version=2014-10-31`,
 * XML responses in the 2014-10-31 namespace). Restored instances go `creating` → `available` after
 * a configurable number of DescribeDBInstances reads of them, so waiters are exercised without sleeping.
 */

const NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const DAY = 86_400_000;

export interface FakeInstance {
  id: string;
  status: string;
  instanceClass: string;
  multiAz: boolean;
  engine: string;
  address: string;
  port: number;
  createdAt: Date;
  latestRestorableTime?: Date;
  retentionDays: number;
  subnetGroup: string;
  securityGroups: string[];
  parameterGroup: string;
  tags: Record<string, string>;
  resourceId: string;
  /** Describes left before a `creating` instance becomes available. */
  describesUntilAvailable: number;
  /** What the instance was restored from, for assertions. */
  restoredFrom?: { instance?: string; time?: string; snapshot?: string };
}

export interface FakeSnapshot {
  id: string;
  instanceId: string;
  createdAt: Date;
  status: string;
  type: 'manual' | 'automated';
}

const el = (name: string, value: string | number | boolean | undefined) => (value === undefined ? '' : `<${name}>${escapeXml(value)}</${name}>`);

function instanceXml(i: FakeInstance): string {
  return [
    '<DBInstance>',
    el('DBInstanceIdentifier', i.id),
    el('DBInstanceClass', i.instanceClass),
    el('Engine', i.engine),
    el('DBInstanceStatus', i.status),
    i.status === 'creating' ? '' : `<Endpoint>${el('Address', i.address)}${el('Port', i.port)}${el('HostedZoneId', 'Z2R2ITUGPM61AM')}</Endpoint>`,
    el('InstanceCreateTime', i.createdAt.toISOString()),
    el('BackupRetentionPeriod', i.retentionDays),
    `<VpcSecurityGroups>${i.securityGroups.map((sg) => `<VpcSecurityGroupMembership>${el('VpcSecurityGroupId', sg)}${el('Status', 'active')}</VpcSecurityGroupMembership>`).join('')}</VpcSecurityGroups>`,
    `<DBParameterGroups><DBParameterGroup>${el('DBParameterGroupName', i.parameterGroup)}${el('ParameterApplyStatus', 'in-sync')}</DBParameterGroup></DBParameterGroups>`,
    `<DBSubnetGroup>${el('DBSubnetGroupName', i.subnetGroup)}${el('SubnetGroupStatus', 'Complete')}</DBSubnetGroup>`,
    el('LatestRestorableTime', i.latestRestorableTime?.toISOString()),
    el('MultiAZ', i.multiAz),
    el('DbiResourceId', i.resourceId),
    el('DBInstanceArn', `arn:aws:rds:us-east-1:123456789012:db:${i.id}`),
    `<TagList>${Object.entries(i.tags)
      .map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`)
      .join('')}</TagList>`,
    '</DBInstance>',
  ].join('');
}

function snapshotXml(s: FakeSnapshot): string {
  return [
    '<DBSnapshot>',
    el('DBSnapshotIdentifier', s.id),
    el('DBInstanceIdentifier', s.instanceId),
    el('SnapshotCreateTime', s.createdAt.toISOString()),
    el('Engine', 'postgres'),
    el('Status', s.status),
    el('SnapshotType', s.type),
    el('DBSnapshotArn', `arn:aws:rds:us-east-1:123456789012:snapshot:${s.id}`),
    '</DBSnapshot>',
  ].join('');
}

/** `Tags.Tag.1.Key` / `VpcSecurityGroupIds.VpcSecurityGroupId.2`: the query protocol's list encoding. */
function list(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const items = new Map<number, Record<string, string>>();
  for (const [key, value] of Object.entries(params)) {
    const m = new RegExp(`^${prefix}\\.[A-Za-z]+\\.(\\d+)(?:\\.(\\w+))?$`).exec(key);
    if (!m) continue;
    const item = items.get(Number(m[1])) ?? {};
    item[m[2] ?? 'value'] = value;
    items.set(Number(m[1]), item);
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}

export interface RdsFakeOptions extends FakeOptions {
  /** Reads of a restored instance before it turns available (default 2). */
  describesUntilAvailable?: number;
}

/** RDS (query protocol): DescribeDBInstances, RestoreDBInstanceToPointInTime, RestoreDBInstanceFromDBSnapshot, DescribeDBSnapshots. */
export class RdsFake extends AwsFake {
  readonly instances = new Map<string, FakeInstance>();
  readonly snapshots = new Map<string, FakeSnapshot>();
  /** Reads of a restored instance before it turns available. */
  describesUntilAvailable: number;
  private readonly hooks = new Map<string, () => void>();

  constructor(options: RdsFakeOptions = {}) {
    super(options);
    this.describesUntilAvailable = options.describesUntilAvailable ?? 2;
  }

  static start(options?: RdsFakeOptions): Promise<RdsFake> {
    return new RdsFake(options).start();
  }

  /** A source instance with automated backups: restorable from `now - retentionDays` to `latestRestorableTime`. */
  addInstance(id: string, o: Partial<Omit<FakeInstance, 'id'>> = {}): FakeInstance {
    const now = Date.now();
    const instance: FakeInstance = {
      id,
      status: 'available',
      instanceClass: 'db.r6g.large',
      multiAz: true,
      engine: 'postgres',
      address: `${id}.c9akciq32.us-east-1.rds.amazonaws.com`,
      port: 5432,
      createdAt: new Date(now - 30 * DAY),
      latestRestorableTime: new Date(now - 2 * 60_000),
      retentionDays: 7,
      subnetGroup: 'distrocv-db-private',
      securityGroups: ['sg-0db0001'],
      parameterGroup: 'distrocv-postgres15',
      tags: {},
      resourceId: `db-${randomUUID().replace(/-/g, '').slice(0, 26).toUpperCase()}`,
      describesUntilAvailable: 0,
      ...o,
    };
    this.instances.set(id, instance);
    return instance;
  }

  addSnapshot(id: string, instanceId: string, createdAt: Date, o: Partial<Pick<FakeSnapshot, 'status' | 'type'>> = {}): FakeSnapshot {
    const snapshot: FakeSnapshot = { id, instanceId, createdAt, status: o.status ?? 'available', type: o.type ?? 'manual' };
    this.snapshots.set(id, snapshot);
    return snapshot;
  }

  /** Runs once just before the next `action` is handled (e.g. another worker's restore landing first). */
  before(action: string, fn: () => void): void {
    this.hooks.set(action, fn);
  }

  protected route(req: FakeRequest): Route | undefined {
    const params = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
    const action = params.Action ?? '';
    const handler = Object.hasOwn(this.actions, action) && params.Version === '2014-10-31' ? this.actions[action] : undefined;
    if (handler) {
      // Here rather than in run(): the hook goes ahead of a fault injected for the same call.
      const hook = this.hooks.get(action);
      this.hooks.delete(action);
      hook?.();
    }
    return {
      op: action,
      input: params,
      run: () => {
        if (!handler) throw new AwsError('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
        const result = handler(params);
        return xmlResponse(
          200,
          (id) =>
            `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`,
        );
      },
    };
  }

  protected renderError(error: AwsError): FakeResponse {
    return xmlResponse(
      error.status,
      (id) =>
        `<ErrorResponse xmlns="${NS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
    );
  }

  private mustFind(id: string | undefined): FakeInstance {
    const found = id ? this.instances.get(id) : undefined;
    if (!found) throw new AwsError('DBInstanceNotFound', 404, `DBInstance ${id} not found.`);
    return found;
  }

  private restoreInto(params: Record<string, string>, base: FakeInstance | undefined, from: FakeInstance['restoredFrom']): FakeInstance {
    const id = params.TargetDBInstanceIdentifier ?? params.DBInstanceIdentifier!;
    if (this.instances.has(id)) throw new AwsError('DBInstanceAlreadyExists', 400, 'DB instance already exists');
    const tags = Object.fromEntries(list(params, 'Tags').map((t) => [t.Key!, t.Value ?? '']));
    const sgs = list(params, 'VpcSecurityGroupIds').map((t) => t.value!);
    return this.addInstance(id, {
      status: 'creating',
      instanceClass: params.DBInstanceClass ?? base?.instanceClass ?? 'db.t3.medium',
      multiAz: params.MultiAZ === 'true',
      createdAt: new Date(),
      latestRestorableTime: undefined,
      subnetGroup: params.DBSubnetGroupName ?? 'default',
      securityGroups: sgs.length ? sgs : ['sg-default'],
      parameterGroup: params.DBParameterGroupName ?? 'default.postgres15',
      tags,
      describesUntilAvailable: this.describesUntilAvailable,
      restoredFrom: from,
    });
  }

  private readonly actions: Record<string, (p: Record<string, string>) => string> = {
    DescribeDBInstances: (p) => {
      const found = p.DBInstanceIdentifier ? [this.mustFind(p.DBInstanceIdentifier)] : [...this.instances.values()];
      for (const i of found) {
        if (i.status === 'creating' && --i.describesUntilAvailable <= 0) i.status = 'available';
      }
      return `<DBInstances>${found.map(instanceXml).join('')}</DBInstances>`;
    },
    RestoreDBInstanceToPointInTime: (p) => {
      const source = this.mustFind(p.SourceDBInstanceIdentifier);
      if (source.retentionDays === 0) throw new AwsError('PointInTimeRestoreNotEnabled', 400, 'Automated backups are not enabled for this instance.');
      const latest = source.latestRestorableTime!.getTime();
      const earliest = Math.max(source.createdAt.getTime(), Date.now() - source.retentionDays * DAY);
      const at = p.UseLatestRestorableTime === 'true' ? latest : Date.parse(p.RestoreTime ?? '');
      if (!(at >= earliest && at <= latest)) {
        throw new AwsError('InvalidRestoreFault', 400, `The restore time ${p.RestoreTime} is not within the restorable window of ${source.id}.`);
      }
      return instanceXml(this.restoreInto(p, source, { instance: source.id, time: new Date(at).toISOString() }));
    },
    RestoreDBInstanceFromDBSnapshot: (p) => {
      const snapshot = this.snapshots.get(p.DBSnapshotIdentifier ?? '');
      if (!snapshot) throw new AwsError('DBSnapshotNotFound', 404, `DBSnapshot ${p.DBSnapshotIdentifier} not found.`);
      return instanceXml(this.restoreInto(p, this.instances.get(snapshot.instanceId), { snapshot: snapshot.id }));
    },
    DescribeDBSnapshots: (p) => {
      if (p.DBSnapshotIdentifier && !this.snapshots.has(p.DBSnapshotIdentifier)) {
        throw new AwsError('DBSnapshotNotFound', 404, `DBSnapshot ${p.DBSnapshotIdentifier} not found.`);
      }
      const found = [...this.snapshots.values()].filter(
        (s) => (!p.DBSnapshotIdentifier || s.id === p.DBSnapshotIdentifier) && (!p.DBInstanceIdentifier || s.instanceId === p.DBInstanceIdentifier),
      );
      return `<DBSnapshots>${found.map(snapshotXml).join('')}</DBSnapshots>`;
    },
  };
}

/** An XML answer whose body carries the same request id as its `x-amzn-requestid` header. */
function xmlResponse(status: number, body: (requestId: string) => string): FakeResponse {
  const id = requestId();
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id }, body: xmlDocument(body(id)) };
}

/** The RDS fake under the names the tests use. */
export type FakeRds = RdsFake;

export function startFakeRds(options: RdsFakeOptions = {}): Promise<RdsFake> {
  return RdsFake.start(options);
}
