import { randomBytes } from 'node:crypto';
import { AwsError, AwsFake, requestId, xmlDocument, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';
import { distributionConfigNode, minimalDistributionConfig } from './cloudfront-config.js';
import { child, children, escapeXml, parseXml, renderXml, textOf, type XmlNode } from './xml.js';

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

export interface FakeInvalidation {
  id: string;
  distributionId: string;
  callerReference: string;
  paths: string[];
  createdAt: Date;
  completesAt: number;
}

export interface FakeDistribution {
  id: string;
  /** The DistributionConfig element as UpdateDistribution sent it; GetDistributionConfig serves it back as is. */
  config: XmlNode;
  etag: string;
  lastModified: Date;
  /** GetDistribution says InProgress until then, Deployed after. */
  deployedAt: number;
}

export interface CloudFrontFakeOptions extends FakeOptions {
  /** How long an invalidation stays InProgress (real CloudFront: tens of seconds to minutes). */
  invalidationDelayMs?: number;
  /** How long a distribution stays InProgress after an update (real CloudFront: 5 to 15 minutes). */
  deployDelayMs?: number;
}

/** CloudFront ETags look like `E2QWRUHAPOMQZL`. */
function newEtag(): string {
  return `E${randomBytes(9).toString('hex').toUpperCase().slice(0, 13)}`;
}

/**
 * CloudFront (REST-XML, 2020-05-31): invalidations, and distributions' configs. Like CloudFront,
 * a repeated CreateInvalidation with the same CallerReference and paths returns the earlier
 * invalidation (with other paths it fails with InvalidationBatchAlreadyExists), and
 * UpdateDistribution needs the current ETag as If-Match (412 PreconditionFailed when stale),
 * answers with a new one, and leaves the distribution InProgress for `deployDelayMs`.
 */
export class CloudFrontFake extends AwsFake {
  readonly invalidations: FakeInvalidation[] = [];
  invalidationDelayMs: number;
  deployDelayMs: number;
  private readonly distributions = new Map<string, FakeDistribution>();

  constructor(options: CloudFrontFakeOptions = {}) {
    super(options);
    this.invalidationDelayMs = options.invalidationDelayMs ?? 0;
    this.deployDelayMs = options.deployDelayMs ?? 0;
  }

  static start(options?: CloudFrontFakeOptions): Promise<CloudFrontFake> {
    return new CloudFrontFake(options).start();
  }

  /**
   * Seeds a Deployed distribution with a config as the CLI prints it (JSON). Seeding an existing
   * id again replaces its config with a new ETag, as an edit in the console would.
   */
  addDistribution(id: string, config: Record<string, unknown> = minimalDistributionConfig(`fake-${id}`)): this {
    this.distributions.set(id, { id, config: distributionConfigNode(config), etag: newEtag(), lastModified: new Date(), deployedAt: Date.now() });
    return this;
  }

  distribution(id: string): FakeDistribution | undefined {
    return this.distributions.get(id);
  }

  deployStatus(d: FakeDistribution): 'InProgress' | 'Deployed' {
    return Date.now() >= d.deployedAt ? 'Deployed' : 'InProgress';
  }

  status(inv: FakeInvalidation): 'InProgress' | 'Completed' {
    return Date.now() >= inv.completesAt ? 'Completed' : 'InProgress';
  }

  protected route(req: FakeRequest): Route | undefined {
    const d = /^\/2020-05-31\/distribution\/([^/]+)(\/config)?$/.exec(req.path);
    if (d) {
      const id = decodeURIComponent(d[1]!);
      if (req.method === 'GET' && d[2]) return { op: 'GetDistributionConfig', input: { id }, run: () => this.getConfig(id) };
      if (req.method === 'GET') return { op: 'GetDistribution', input: { id }, run: () => this.get(id) };
      if (req.method === 'PUT' && d[2]) {
        const ifMatch = req.headers['if-match'];
        return {
          op: 'UpdateDistribution',
          input: { id, ifMatch },
          run: () => this.update(id, typeof ifMatch === 'string' ? ifMatch : undefined, req.body.toString('utf8')),
        };
      }
      return undefined;
    }
    const m = /^\/2020-05-31\/distribution\/([^/]+)\/invalidation(?:\/([^/]+))?$/.exec(req.path);
    if (!m) return undefined;
    const distributionId = decodeURIComponent(m[1]!);
    const id = m[2] && decodeURIComponent(m[2]);
    if (req.method === 'POST' && !id) {
      const batch = parseXml(req.body.toString('utf8'));
      const callerReference = textOf(batch, 'CallerReference') ?? '';
      const paths = children(child(child(batch, 'Paths'), 'Items'), 'Path').map((p) => p.text);
      return { op: 'CreateInvalidation', input: { distributionId, callerReference, paths }, run: () => this.create(distributionId, callerReference, paths) };
    }
    if (req.method === 'GET' && id) return { op: 'GetInvalidation', input: { distributionId, id }, run: () => this.getInvalidation(distributionId, id) };
    if (req.method === 'GET') return { op: 'ListInvalidations', input: { distributionId }, run: () => this.list(distributionId, req.query) };
    return undefined;
  }

  private existing(id: string): FakeDistribution {
    const d = this.distributions.get(id);
    if (!d) throw new AwsError('NoSuchDistribution', 404, 'The specified distribution does not exist.');
    return d;
  }

  private getConfig(id: string): FakeResponse {
    const d = this.existing(id);
    return { status: 200, headers: { 'content-type': 'text/xml', etag: d.etag }, body: xmlDocument(renderXml(d.config, ` xmlns="${NS}"`)) };
  }

  private get(id: string): FakeResponse {
    return this.renderDistribution(this.existing(id));
  }

  private update(id: string, ifMatch: string | undefined, body: string): FakeResponse {
    const d = this.existing(id);
    if (!ifMatch) throw new AwsError('InvalidIfMatchVersion', 400, 'The If-Match version is missing or not valid for the resource.');
    if (ifMatch !== d.etag)
      throw new AwsError('PreconditionFailed', 412, 'The precondition given in one or more of the request-header fields evaluated to false.');
    const config = parseXml(body);
    if (config.name !== 'DistributionConfig') throw new AwsError('MalformedInput', 400, `expected <DistributionConfig>, got <${config.name}>`);
    if (textOf(config, 'CallerReference') !== textOf(d.config, 'CallerReference'))
      throw new AwsError('IllegalUpdate', 400, 'Parameter CallerReference cannot be updated.');
    Object.assign(d, { config, etag: newEtag(), lastModified: new Date(), deployedAt: Date.now() + this.deployDelayMs });
    return this.renderDistribution(d);
  }

  private renderDistribution(d: FakeDistribution): FakeResponse {
    const inProgress = this.invalidations.filter((i) => i.distributionId === d.id && this.status(i) === 'InProgress').length;
    const signers = '<Enabled>false</Enabled><Quantity>0</Quantity>';
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', etag: d.etag },
      body: xmlDocument(
        `<Distribution xmlns="${NS}"><Id>${escapeXml(d.id)}</Id><ARN>arn:aws:cloudfront::123456789012:distribution/${escapeXml(d.id)}</ARN><Status>${this.deployStatus(d)}</Status><LastModifiedTime>${d.lastModified.toISOString()}</LastModifiedTime><InProgressInvalidationBatches>${inProgress}</InProgressInvalidationBatches><DomainName>d${d.id.toLowerCase()}.cloudfront.net</DomainName><ActiveTrustedSigners>${signers}</ActiveTrustedSigners><ActiveTrustedKeyGroups>${signers}</ActiveTrustedKeyGroups>${renderXml(d.config)}</Distribution>`,
      ),
    };
  }

  private create(distributionId: string, callerReference: string, paths: string[]): FakeResponse {
    this.existing(distributionId);
    if (paths.length === 0) throw new AwsError('InvalidArgument', 400, 'Paths must contain at least one path.');
    const earlier = this.invalidations.find((i) => i.distributionId === distributionId && i.callerReference === callerReference);
    if (earlier) {
      if ([...earlier.paths].sort().join('\n') !== [...paths].sort().join('\n')) {
        throw new AwsError('InvalidationBatchAlreadyExists', 409, 'The CallerReference you attempted to create the invalidation with is already in use.');
      }
      return this.render(earlier, 201);
    }
    const inv: FakeInvalidation = {
      id: `I${randomBytes(9).toString('hex').toUpperCase().slice(0, 13)}`,
      distributionId,
      callerReference,
      paths,
      createdAt: new Date(),
      completesAt: Date.now() + this.invalidationDelayMs,
    };
    this.invalidations.push(inv);
    return this.render(inv, 201);
  }

  private getInvalidation(distributionId: string, id: string): FakeResponse {
    this.existing(distributionId);
    const inv = this.invalidations.find((i) => i.distributionId === distributionId && i.id === id);
    if (!inv) throw new AwsError('NoSuchInvalidation', 404, 'The specified invalidation does not exist.');
    return this.render(inv, 200);
  }

  private list(distributionId: string, query: URLSearchParams): FakeResponse {
    this.existing(distributionId);
    const all = this.invalidations.filter((i) => i.distributionId === distributionId).reverse();
    const max = Number(query.get('MaxItems') ?? 100);
    const marker = query.get('Marker');
    const start = marker ? all.findIndex((i) => i.id === marker) + 1 : 0;
    const page = all.slice(start, start + max);
    const truncated = start + max < all.length;
    const items = page
      .map(
        (i) =>
          `<InvalidationSummary><Id>${i.id}</Id><CreateTime>${i.createdAt.toISOString()}</CreateTime><Status>${this.status(i)}</Status></InvalidationSummary>`,
      )
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: xmlDocument(
        `<InvalidationList xmlns="${NS}"><Marker>${escapeXml(marker ?? '')}</Marker>${truncated ? `<NextMarker>${page[page.length - 1]!.id}</NextMarker>` : ''}<MaxItems>${max}</MaxItems><IsTruncated>${truncated}</IsTruncated><Quantity>${page.length}</Quantity>${page.length ? `<Items>${items}</Items>` : ''}</InvalidationList>`,
      ),
    };
  }

  private render(inv: FakeInvalidation, status: number): FakeResponse {
    const paths = inv.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
    return {
      status,
      headers: {
        'content-type': 'text/xml',
        ...(status === 201 ? { location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${inv.distributionId}/invalidation/${inv.id}` } : {}),
      },
      body: xmlDocument(
        `<Invalidation xmlns="${NS}"><Id>${inv.id}</Id><Status>${this.status(inv)}</Status><CreateTime>${inv.createdAt.toISOString()}</CreateTime><InvalidationBatch><Paths><Quantity>${inv.paths.length}</Quantity><Items>${paths}</Items></Paths><CallerReference>${escapeXml(inv.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`,
      ),
    };
  }

  protected renderError(error: AwsError): FakeResponse {
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml' },
      body: xmlDocument(
        `<ErrorResponse xmlns="${NS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
      ),
    };
  }
}
