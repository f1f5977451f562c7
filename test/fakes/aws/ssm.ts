import { jsonResponse, jsonRoute } from './json.js';
import { AwsError, AwsFake, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';

export interface ParameterVersion {
  Name: string;
  Type: 'String' | 'StringList' | 'SecureString';
  Value: string;
  Version: number;
  LastModifiedDate: Date;
  LastModifiedUser: string;
  DataType: 'text';
}

const ACCOUNT = '123456789012';

/** SSM Parameter Store (JSON 1.1, `X-Amz-Target: AmazonSSM.*`): GetParameter, PutParameter, GetParameterHistory. */
export class SsmFake extends AwsFake {
  private readonly params = new Map<string, ParameterVersion[]>();

  static start(options?: FakeOptions): Promise<SsmFake> {
    return new SsmFake(options).start();
  }

  /** Seeds one more version of a parameter (creating it). */
  putParameter(name: string, value: string, options: { type?: ParameterVersion['Type']; at?: Date; user?: string } = {}): ParameterVersion {
    const history = this.params.get(name) ?? [];
    const previous = history[history.length - 1];
    const version: ParameterVersion = {
      Name: name,
      Type: options.type ?? previous?.Type ?? 'String',
      Value: value,
      Version: (previous?.Version ?? 0) + 1,
      LastModifiedDate: options.at ?? new Date(),
      LastModifiedUser: options.user ?? `arn:aws:iam::${ACCOUNT}:user/seed`,
      DataType: 'text',
    };
    this.params.set(name, [...history, version]);
    return version;
  }

  parameter(name: string): ParameterVersion | undefined {
    return this.params.get(name)?.at(-1);
  }

  history(name: string): ParameterVersion[] {
    return [...(this.params.get(name) ?? [])];
  }

  protected route(req: FakeRequest): Route | undefined {
    return jsonRoute<Record<string, unknown>>(req, 'AmazonSSM.', {
      GetParameter: (input) => this.get(input),
      PutParameter: (input) => this.put(input),
      GetParameterHistory: (input) => this.historyPage(input),
    });
  }

  private current(name: unknown): ParameterVersion[] {
    const history = this.params.get(String(name));
    if (!history) throw new AwsError('ParameterNotFound', 400, '');
    return history;
  }

  private get(input: Record<string, unknown>) {
    const p = this.current(input.Name).at(-1)!;
    return { Parameter: { ...wire(p), ARN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${p.Name.startsWith('/') ? '' : '/'}${p.Name}` } };
  }

  private put(input: Record<string, unknown>) {
    const name = String(input.Name ?? '');
    const existing = this.params.get(name);
    if (existing && input.Overwrite !== true) {
      throw new AwsError(
        'ParameterAlreadyExists',
        400,
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (!existing && !input.Type) throw new AwsError('ValidationException', 400, 'A parameter type is required when you create a parameter.');
    if (typeof input.Value !== 'string') throw new AwsError('ValidationException', 400, 'Value is required');
    const version = this.putParameter(name, input.Value, {
      type: input.Type as ParameterVersion['Type'] | undefined,
      user: `arn:aws:iam::${ACCOUNT}:role/rewind`,
    });
    return { Version: version.Version, Tier: 'Standard' };
  }

  private historyPage(input: Record<string, unknown>) {
    const history = this.current(input.Name);
    const max = Number(input.MaxResults ?? 50);
    const start = Number(input.NextToken ?? 0);
    const page = history.slice(start, start + max);
    const next = start + max < history.length ? String(start + max) : undefined;
    return { Parameters: page.map(wire), ...(next ? { NextToken: next } : {}) };
  }

  protected renderError(error: AwsError): FakeResponse {
    return jsonResponse({ __type: `com.amazonaws.ssm#${error.code}`, message: error.message }, error.status);
  }
}

function wire(p: ParameterVersion) {
  return { ...p, LastModifiedDate: p.LastModifiedDate.getTime() / 1000 };
}
