import { randomBytes } from 'node:crypto';
import { AwsError, AwsFake, requestId, xmlDocument, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';
import { child, children, escapeXml, parseXml, textOf, type XmlNode } from './xml.js';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export interface FakeRecordSet {
  Name: string;
  Type: string;
  TTL?: number;
  ResourceRecords?: string[];
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
  SetIdentifier?: string;
}

interface FakeChange {
  id: string;
  submittedAt: Date;
  insyncAt: number;
  comment?: string;
}

export interface Route53FakeOptions extends FakeOptions {
  /** How long a change stays PENDING before INSYNC (real Route 53: usually under a minute). */
  changeDelayMs?: number;
}

/** `www.Example.com` → `www.example.com.` (Route 53 answers with the trailing dot). */
export function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function recordKey(r: FakeRecordSet): string {
  return `${fqdn(r.Name)}|${r.Type}|${r.SetIdentifier ?? ''}`;
}

/** Route 53 lists records by name with labels reversed (`com.example.www`), then by type. */
function sortKey(name: string, type: string): string {
  return `${fqdn(name).split('.').reverse().join('.')}|${type}`;
}

function sameRecord(a: FakeRecordSet, b: FakeRecordSet): boolean {
  const norm = (r: FakeRecordSet) =>
    JSON.stringify({
      t: r.TTL,
      v: [...(r.ResourceRecords ?? [])].sort(),
      a: r.AliasTarget && { ...r.AliasTarget, DNSName: fqdn(r.AliasTarget.DNSName) },
    });
  return norm(a) === norm(b);
}

function parseRecordSet(node: XmlNode | undefined): FakeRecordSet {
  const alias = child(node, 'AliasTarget');
  const ttl = textOf(node, 'TTL');
  return {
    Name: fqdn(textOf(node, 'Name') ?? ''),
    Type: textOf(node, 'Type') ?? '',
    ...(textOf(node, 'SetIdentifier') ? { SetIdentifier: textOf(node, 'SetIdentifier') } : {}),
    ...(ttl ? { TTL: Number(ttl) } : {}),
    ...(child(node, 'ResourceRecords')
      ? { ResourceRecords: children(child(node, 'ResourceRecords'), 'ResourceRecord').map((r) => textOf(r, 'Value') ?? '') }
      : {}),
    ...(alias
      ? {
          AliasTarget: {
            HostedZoneId: textOf(alias, 'HostedZoneId') ?? '',
            DNSName: fqdn(textOf(alias, 'DNSName') ?? ''),
            EvaluateTargetHealth: textOf(alias, 'EvaluateTargetHealth') === 'true',
          },
        }
      : {}),
  };
}

function renderRecordSet(r: FakeRecordSet): string {
  return [
    `<ResourceRecordSet><Name>${escapeXml(r.Name)}</Name><Type>${r.Type}</Type>`,
    r.SetIdentifier ? `<SetIdentifier>${escapeXml(r.SetIdentifier)}</SetIdentifier>` : '',
    r.TTL !== undefined ? `<TTL>${r.TTL}</TTL>` : '',
    r.ResourceRecords
      ? `<ResourceRecords>${r.ResourceRecords.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords>`
      : '',
    r.AliasTarget
      ? `<AliasTarget><HostedZoneId>${escapeXml(r.AliasTarget.HostedZoneId)}</HostedZoneId><DNSName>${escapeXml(r.AliasTarget.DNSName)}</DNSName><EvaluateTargetHealth>${r.AliasTarget.EvaluateTargetHealth}</EvaluateTargetHealth></AliasTarget>`
      : '',
    '</ResourceRecordSet>',
  ].join('');
}

/**
 * Route 53 record sets (REST-XML, 2013-04-01): ChangeResourceRecordSets (atomic batch,
 * CREATE/UPSERT/DELETE), GetChange (PENDING → INSYNC after a delay), ListResourceRecordSets.
 */
export class Route53Fake extends AwsFake {
  changeDelayMs: number;
  private readonly zones = new Map<string, Map<string, FakeRecordSet>>();
  private readonly changes = new Map<string, FakeChange>();

  constructor(options: Route53FakeOptions = {}) {
    super(options);
    this.changeDelayMs = options.changeDelayMs ?? 0;
  }

  static start(options?: Route53FakeOptions): Promise<Route53Fake> {
    return new Route53Fake(options).start();
  }

  addZone(id: string): this {
    if (!this.zones.has(id)) this.zones.set(id, new Map());
    return this;
  }

  /** Seeds (or replaces) a record set. */
  putRecord(zoneId: string, record: FakeRecordSet): this {
    const r = { ...record, Name: fqdn(record.Name) };
    this.addZone(zoneId).zones.get(zoneId)!.set(recordKey(r), r);
    return this;
  }

  record(zoneId: string, name: string, type: string): FakeRecordSet | undefined {
    return this.zones.get(zoneId)?.get(`${fqdn(name)}|${type}|`);
  }

  protected route(req: FakeRequest): Route | undefined {
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(req.path);
    if (rrset) {
      const zoneId = decodeURIComponent(rrset[1]!).replace(/^\/?hostedzone\//, '');
      if (req.method === 'POST') {
        const request = parseXml(req.body.toString('utf8'));
        const batch = child(request, 'ChangeBatch');
        const changes = children(child(batch, 'Changes'), 'Change').map((c) => ({
          action: textOf(c, 'Action') ?? '',
          record: parseRecordSet(child(c, 'ResourceRecordSet')),
        }));
        return { op: 'ChangeResourceRecordSets', input: { zoneId, changes }, run: () => this.change(zoneId, changes, textOf(batch, 'Comment')) };
      }
      if (req.method === 'GET') {
        const q = req.query;
        return { op: 'ListResourceRecordSets', input: { zoneId, name: q.get('name'), type: q.get('type') }, run: () => this.list(zoneId, q) };
      }
    }
    const change = /^\/2013-04-01\/change\/(.+)$/.exec(req.path);
    if (change && req.method === 'GET') {
      const id = decodeURIComponent(change[1]!).replace(/^\/?change\//, '');
      return { op: 'GetChange', input: { id }, run: () => this.getChange(id) };
    }
    return undefined;
  }

  private zone(id: string): Map<string, FakeRecordSet> {
    const zone = this.zones.get(id);
    if (!zone) throw new AwsError('NoSuchHostedZone', 404, `No hosted zone found with ID: ${id}`);
    return zone;
  }

  private change(zoneId: string, changes: { action: string; record: FakeRecordSet }[], comment?: string): FakeResponse {
    const zone = this.zone(zoneId);
    const next = new Map(zone);
    for (const { action, record } of changes) {
      const key = recordKey(record);
      const existing = next.get(key);
      const label = `resource record set [name='${record.Name}', type='${record.Type}']`;
      if (record.AliasTarget && record.TTL !== undefined) throw new AwsError('InvalidInput', 400, 'Invalid request: an alias record set has no TTL');
      if (action === 'CREATE' && existing) throw new AwsError('InvalidChangeBatch', 400, `[Tried to create ${label} but it already exists]`);
      if (action === 'DELETE') {
        if (!existing || !sameRecord(existing, record)) throw new AwsError('InvalidChangeBatch', 400, `[Tried to delete ${label} but it was not found]`);
        next.delete(key);
      } else if (action === 'CREATE' || action === 'UPSERT') next.set(key, record);
      else throw new AwsError('InvalidInput', 400, `Invalid action ${action}`);
    }
    this.zones.set(zoneId, next);
    const c: FakeChange = {
      id: `C${randomBytes(10).toString('hex').toUpperCase().slice(0, 19)}`,
      submittedAt: new Date(),
      insyncAt: Date.now() + this.changeDelayMs,
      comment,
    };
    this.changes.set(c.id, c);
    return this.xml(`<ChangeResourceRecordSetsResponse xmlns="${NS}">${this.changeInfo(c)}</ChangeResourceRecordSetsResponse>`);
  }

  private getChange(id: string): FakeResponse {
    const c = this.changes.get(id);
    if (!c) throw new AwsError('NoSuchChange', 404, `A change with the specified change ID does not exist: ${id}`);
    return this.xml(`<GetChangeResponse xmlns="${NS}">${this.changeInfo(c)}</GetChangeResponse>`);
  }

  private changeInfo(c: FakeChange): string {
    const status = Date.now() >= c.insyncAt ? 'INSYNC' : 'PENDING';
    return `<ChangeInfo><Id>/change/${c.id}</Id><Status>${status}</Status><SubmittedAt>${c.submittedAt.toISOString()}</SubmittedAt>${c.comment ? `<Comment>${escapeXml(c.comment)}</Comment>` : ''}</ChangeInfo>`;
  }

  private list(zoneId: string, q: URLSearchParams): FakeResponse {
    const all = [...this.zone(zoneId).values()].sort((a, b) => (sortKey(a.Name, a.Type) < sortKey(b.Name, b.Type) ? -1 : 1));
    const name = q.get('name');
    const from = name ? sortKey(name, q.get('type') ?? '') : '';
    const max = Number(q.get('maxitems') ?? 300);
    const rest = all.filter((r) => sortKey(r.Name, r.Type) >= from);
    const page = rest.slice(0, max);
    const next = rest[max];
    return this.xml(
      `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${page.map(renderRecordSet).join('')}</ResourceRecordSets><IsTruncated>${Boolean(next)}</IsTruncated>${next ? `<NextRecordName>${escapeXml(next.Name)}</NextRecordName><NextRecordType>${next.Type}</NextRecordType>` : ''}<MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  }

  private xml(body: string, status = 200): FakeResponse {
    return { status, headers: { 'content-type': 'text/xml' }, body: xmlDocument(body) };
  }

  protected renderError(error: AwsError): FakeResponse {
    return this.xml(
      `<ErrorResponse xmlns="${NS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
      error.status,
    );
  }
}
