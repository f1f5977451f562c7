import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A wire-level Amazon RDS fake: the AWS query protocol (POST form `Action=...&Version=2014-10-31`,
 * XML responses in the 2014-10-31 namespace). Restored instances go `creating` → `available` after
 * a configurable number of DescribeDBInstances reads of them, so waiters are exercised without sleeping.
 */

const NS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const DAY = 86_400_000;

export interface FakeRdsCall {
  action: string;
  params: Record<string, string>;
}

export interface FakeRdsError {
  code: string;
  message: string;
  status?: number;
}

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

export interface FakeRds {
  url: string;
  calls: FakeRdsCall[];
  callsTo(action: string): FakeRdsCall[];
  instances: Map<string, FakeInstance>;
  snapshots: Map<string, FakeSnapshot>;
  /** Reads of a restored instance before it turns available (default 2). */
  describesUntilAvailable: number;
  /** A source instance with automated backups: restorable from `now - retentionDays` to `latestRestorableTime`. */
  addInstance(id: string, opts?: Partial<Omit<FakeInstance, 'id'>>): FakeInstance;
  addSnapshot(id: string, instanceId: string, createdAt: Date, opts?: Partial<Pick<FakeSnapshot, 'status' | 'type'>>): FakeSnapshot;
  failNext(action: string, error: FakeRdsError, times?: number): void;
  /** Runs once just before the next `action` is handled (e.g. another worker's restore landing first). */
  before(action: string, fn: () => void): void;
  close(): Promise<void>;
}

const esc = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const el = (name: string, value: string | number | boolean | undefined) => (value === undefined ? '' : `<${name}>${esc(String(value))}</${name}>`);

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
    `<TagList>${Object.entries(i.tags).map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`).join('')}</TagList>`,
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

class Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startFakeRds(opts: { describesUntilAvailable?: number } = {}): Promise<FakeRds> {
  const calls: FakeRdsCall[] = [];
  const instances = new Map<string, FakeInstance>();
  const snapshots = new Map<string, FakeSnapshot>();
  const failures = new Map<string, { error: FakeRdsError; times: number }>();
  const hooks = new Map<string, () => void>();

  const fake: Omit<FakeRds, 'url' | 'close'> = {
    calls,
    callsTo: (action) => calls.filter((c) => c.action === action),
    instances,
    snapshots,
    describesUntilAvailable: opts.describesUntilAvailable ?? 2,
    addInstance(id, o = {}) {
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
      instances.set(id, instance);
      return instance;
    },
    addSnapshot(id, instanceId, createdAt, o = {}) {
      const snapshot: FakeSnapshot = { id, instanceId, createdAt, status: o.status ?? 'available', type: o.type ?? 'manual' };
      snapshots.set(id, snapshot);
      return snapshot;
    },
    failNext(action, error, times = 1) {
      failures.set(action, { error, times });
    },
    before(action, fn) {
      hooks.set(action, fn);
    },
  };

  const mustFind = (id: string | undefined) => {
    const found = id ? instances.get(id) : undefined;
    if (!found) throw new Fault('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
    return found;
  };

  const restoreInto = (params: Record<string, string>, base: FakeInstance | undefined, from: FakeInstance['restoredFrom']) => {
    const id = params.TargetDBInstanceIdentifier ?? params.DBInstanceIdentifier!;
    if (instances.has(id)) throw new Fault('DBInstanceAlreadyExists', 'DB instance already exists');
    const tags = Object.fromEntries(list(params, 'Tags').map((t) => [t.Key!, t.Value ?? '']));
    const sgs = list(params, 'VpcSecurityGroupIds').map((t) => t.value!);
    return fake.addInstance(id, {
      status: 'creating',
      instanceClass: params.DBInstanceClass ?? base?.instanceClass ?? 'db.t3.medium',
      multiAz: params.MultiAZ === 'true',
      createdAt: new Date(),
      latestRestorableTime: undefined,
      subnetGroup: params.DBSubnetGroupName ?? 'default',
      securityGroups: sgs.length ? sgs : ['sg-default'],
      parameterGroup: params.DBParameterGroupName ?? 'default.postgres15',
      tags,
      describesUntilAvailable: fake.describesUntilAvailable,
      restoredFrom: from,
    });
  };

  const actions: Record<string, (p: Record<string, string>) => string> = {
    DescribeDBInstances(p) {
      const found = p.DBInstanceIdentifier ? [mustFind(p.DBInstanceIdentifier)] : [...instances.values()];
      for (const i of found) {
        if (i.status === 'creating' && --i.describesUntilAvailable <= 0) i.status = 'available';
      }
      return `<DBInstances>${found.map(instanceXml).join('')}</DBInstances>`;
    },
    RestoreDBInstanceToPointInTime(p) {
      const source = mustFind(p.SourceDBInstanceIdentifier);
      if (source.retentionDays === 0) throw new Fault('PointInTimeRestoreNotEnabled', 'Automated backups are not enabled for this instance.');
      const latest = source.latestRestorableTime!.getTime();
      const earliest = Math.max(source.createdAt.getTime(), Date.now() - source.retentionDays * DAY);
      const at = p.UseLatestRestorableTime === 'true' ? latest : Date.parse(p.RestoreTime ?? '');
      if (!(at >= earliest && at <= latest)) {
        throw new Fault('InvalidRestoreFault', `The restore time ${p.RestoreTime} is not within the restorable window of ${source.id}.`);
      }
      return instanceXml(restoreInto(p, source, { instance: source.id, time: new Date(at).toISOString() }));
    },
    RestoreDBInstanceFromDBSnapshot(p) {
      const snapshot = snapshots.get(p.DBSnapshotIdentifier ?? '');
      if (!snapshot) throw new Fault('DBSnapshotNotFound', `DBSnapshot ${p.DBSnapshotIdentifier} not found.`, 404);
      return instanceXml(restoreInto(p, instances.get(snapshot.instanceId), { snapshot: snapshot.id }));
    },
    DescribeDBSnapshots(p) {
      if (p.DBSnapshotIdentifier && !snapshots.has(p.DBSnapshotIdentifier)) {
        throw new Fault('DBSnapshotNotFound', `DBSnapshot ${p.DBSnapshotIdentifier} not found.`, 404);
      }
      const found = [...snapshots.values()].filter(
        (s) => (!p.DBSnapshotIdentifier || s.id === p.DBSnapshotIdentifier) && (!p.DBInstanceIdentifier || s.instanceId === p.DBInstanceIdentifier),
      );
      return `<DBSnapshots>${found.map(snapshotXml).join('')}</DBSnapshots>`;
    },
  };

  const send = (res: ServerResponse, status: number, xml: string) => {
    const requestId = randomUUID();
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml.replace('__REQUEST_ID__', requestId)}`);
  };

  const handle = (res: ServerResponse, body: string) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const action = params.Action ?? '';
    calls.push({ action, params });
    try {
      const handler = actions[action];
      if (!handler || params.Version !== '2014-10-31') throw new Fault('InvalidAction', `The action ${action} is not valid for this web service.`);
      const hook = hooks.get(action);
      hooks.delete(action);
      hook?.();
      const failure = failures.get(action);
      if (failure && failure.times > 0) {
        failure.times -= 1;
        throw new Fault(failure.error.code, failure.error.message, failure.error.status ?? 400);
      }
      const result = handler(params);
      send(
        res,
        200,
        `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>__REQUEST_ID__</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const f = error instanceof Fault ? error : new Fault('InternalFailure', String(error), 500);
      send(
        res,
        f.status,
        `<ErrorResponse xmlns="${NS}"><Error><Type>${f.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${esc(f.code)}</Code><Message>${esc(f.message)}</Message></Error><RequestId>__REQUEST_ID__</RequestId></ErrorResponse>`,
      );
    }
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
