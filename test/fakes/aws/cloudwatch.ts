import { jsonResponse, jsonRoute } from './json.js';
import { AwsError, AwsFake, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';

/**
 * A wire-level Amazon CloudWatch fake for GetMetricData. @aws-sdk/client-cloudwatch 3.11xx speaks
 * AWS JSON 1.0 (X-Amz-Target `GraniteServiceVersion20100801.GetMetricData`, `x-amzn-query-mode`,
 * timestamps as epoch seconds), so that is what this serves. Each metric holds one value per
 * statistic; a window returns one datapoint at its start, and simple metric math
 * (`100 * errors / requests`) is evaluated over those values.
 */

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

export interface MetricKey {
  namespace: string;
  name: string;
  dimensions?: Record<string, string>;
}

/** The GetMetricData request as the SDK sends it (JSON 1.0, epoch-second timestamps). */
export interface WireQuery {
  Id?: string;
  Label?: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string };
}
export interface WireRequest {
  MetricDataQueries?: WireQuery[];
  StartTime?: number;
  EndTime?: number;
}

const keyOf = (namespace: string, name: string, dims: Record<string, string>) =>
  `${namespace}|${name}|${Object.entries(dims)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;

/** Numbers, ids and + - * / ( ): enough metric math for ratios and unit conversions. */
function evaluate(expression: string, values: Map<string, number>): number | undefined {
  const tokens = expression.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/()])/g);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, '')) throw new Error(`unsupported expression ${expression}`);
  let pos = 0;
  const next = () => tokens[pos++]?.trim();
  const peek = () => tokens[pos]?.trim();
  const primary = (): number | undefined => {
    const t = next();
    if (t === '(') {
      const v = sum();
      next();
      return v;
    }
    if (t === '-') {
      const v = primary();
      return v === undefined ? undefined : -v;
    }
    if (t && /^\d/.test(t)) return Number(t);
    return t ? values.get(t) : undefined;
  };
  const product = (): number | undefined => {
    let v = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const r = primary();
      v = v === undefined || r === undefined ? undefined : op === '*' ? v * r : r === 0 ? undefined : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const r = product();
      v = v === undefined || r === undefined ? undefined : op === '+' ? v + r : v - r;
    }
    return v;
  };
  return sum();
}

/** CloudWatch (JSON 1.0): GetMetricData. */
export class CloudWatchFake extends AwsFake {
  private readonly metrics = new Map<string, Record<string, number>>();

  static start(options?: FakeOptions): Promise<CloudWatchFake> {
    return new CloudWatchFake(options).start();
  }

  /** Every GetMetricData request body, as sent. */
  get requests(): WireRequest[] {
    return this.callsOf('GetMetricData').map((c) => c.input as WireRequest);
  }

  /** Sets what a metric reports, per statistic, e.g. `{ Sum: 3 }` or `{ p95: 0.18, Average: 0.12 }`. */
  setMetric(key: MetricKey, stats: Record<string, number>): void {
    this.metrics.set(keyOf(key.namespace, key.name, key.dimensions ?? {}), stats);
  }

  protected route(req: FakeRequest): Route | undefined {
    return jsonRoute<WireRequest>(req, TARGET_PREFIX, { GetMetricData: (input) => this.getMetricData(input) }, '1.0');
  }

  protected renderError(error: AwsError): FakeResponse {
    return jsonResponse({ __type: `com.amazonaws.cloudwatch#${error.code}`, message: error.message }, error.status, '1.0', {
      'x-amzn-query-error': `${error.code.replace(/Exception$/, '')};${error.status >= 500 ? 'Receiver' : 'Sender'}`,
    });
  }

  private getMetricData(input: WireRequest) {
    const queries = input.MetricDataQueries ?? [];
    if (!(typeof input.StartTime === 'number' && typeof input.EndTime === 'number' && input.StartTime < input.EndTime)) {
      throw new AwsError('InvalidParameterValueException', 400, 'The parameter StartTime must be less than the parameter EndTime.');
    }
    const values = new Map<string, number>();
    const results: unknown[] = [];
    for (const q of queries) {
      if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id ?? ''))
        throw new AwsError('InvalidParameterValueException', 400, `The value ${q.Id} for parameter MetricDataQueries.member.Id is invalid.`);
      let value: number | undefined;
      let label = q.Label ?? q.Id;
      if (q.MetricStat) {
        const { Metric, Period, Stat } = q.MetricStat;
        if (!(Period >= 60 && Period % 60 === 0)) throw new AwsError('InvalidParameterValueException', 400, 'The parameter Period must be a multiple of 60.');
        const dims = Object.fromEntries((Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        value = this.metrics.get(keyOf(Metric.Namespace, Metric.MetricName, dims))?.[Stat];
        label = q.Label ?? Metric.MetricName;
      } else if (q.Expression) {
        value = evaluate(q.Expression, values);
      }
      if (value !== undefined) values.set(q.Id!, value);
      if (q.ReturnData !== false) {
        results.push({
          Id: q.Id,
          Label: label,
          Timestamps: value === undefined ? [] : [input.StartTime],
          Values: value === undefined ? [] : [value],
          StatusCode: 'Complete',
        });
      }
    }
    return { MetricDataResults: results, Messages: [] };
  }
}

/** The CloudWatch fake under the names the tests use. */
export type FakeCloudWatch = CloudWatchFake;

export function startFakeCloudWatch(options: FakeOptions = {}): Promise<CloudWatchFake> {
  return CloudWatchFake.start(options);
}
