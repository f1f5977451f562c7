import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-error.js';

/**
 * A wire-level Amazon CloudWatch fake for GetMetricData. @aws-sdk/client-cloudwatch 3.11xx speaks
 * AWS JSON 1.0 (X-Amz-Target `GraniteServiceVersion20100801.GetMetricData`, `x-amzn-query-mode`,
 * timestamps as epoch seconds), so that is what this serves. Each metric holds one value per
 * statistic; a window returns one datapoint at its start, and simple metric math
 * (`100 * errors / requests`) is evaluated over those values.
 */

const TARGET = 'GraniteServiceVersion20100801.GetMetricData';

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

export interface FakeCloudWatch {
  url: string;
  /** Every GetMetricData request body, as sent. */
  requests: WireRequest[];
  /** Sets what a metric reports, per statistic, e.g. `{ Sum: 3 }` or `{ p95: 0.18, Average: 0.12 }`. */
  setMetric(key: MetricKey, stats: Record<string, number>): void;
  failNext(error: { type: string; message: string; status?: number }): void;
  close(): Promise<void>;
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

export async function startFakeCloudWatch(): Promise<FakeCloudWatch> {
  const requests: WireRequest[] = [];
  const metrics = new Map<string, Record<string, number>>();
  let failure: { type: string; message: string; status?: number } | undefined;

  const getMetricData = (input: WireRequest) => {
    const queries = input.MetricDataQueries ?? [];
    if (!(typeof input.StartTime === 'number' && typeof input.EndTime === 'number' && input.StartTime < input.EndTime)) {
      throw new ApiError('InvalidParameterValueException', 'The parameter StartTime must be less than the parameter EndTime.');
    }
    const values = new Map<string, number>();
    const results: unknown[] = [];
    for (const q of queries) {
      if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id ?? '')) throw new ApiError('InvalidParameterValueException', `The value ${q.Id} for parameter MetricDataQueries.member.Id is invalid.`);
      let value: number | undefined;
      let label = q.Label ?? q.Id;
      if (q.MetricStat) {
        const { Metric, Period, Stat } = q.MetricStat;
        if (!(Period >= 60 && Period % 60 === 0)) throw new ApiError('InvalidParameterValueException', 'The parameter Period must be a multiple of 60.');
        const dims = Object.fromEntries((Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        value = metrics.get(keyOf(Metric.Namespace, Metric.MetricName, dims))?.[Stat];
        label = q.Label ?? Metric.MetricName;
      } else if (q.Expression) {
        value = evaluate(q.Expression, values);
      }
      if (value !== undefined) values.set(q.Id!, value);
      if (q.ReturnData !== false) {
        results.push({ Id: q.Id, Label: label, Timestamps: value === undefined ? [] : [input.StartTime], Values: value === undefined ? [] : [value], StatusCode: 'Complete' });
      }
    }
    return { MetricDataResults: results, Messages: [] };
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      try {
        if (req.headers['x-amz-target'] !== TARGET) throw new ApiError('UnknownOperationException', `Unknown operation ${String(req.headers['x-amz-target'])}`);
        const input = JSON.parse(raw || '{}') as WireRequest;
        requests.push(input);
        if (failure) {
          const f = failure;
          failure = undefined;
          throw new ApiError(f.type, f.message, f.status);
        }
        send(res, 200, getMetricData(input));
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('InternalServiceFault', String(error), 500);
        send(res, e.status, { __type: `com.amazonaws.cloudwatch#${e.type}`, message: e.message }, {
          'x-amzn-query-error': `${e.type.replace(/Exception$/, '')};${e.status >= 500 ? 'Receiver' : 'Sender'}`,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setMetric(key, stats) {
      metrics.set(keyOf(key.namespace, key.name, key.dimensions ?? {}), stats);
    },
    failNext(error) {
      failure = error;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
