import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-error.js';

/**
 * A wire-level AWS Secrets Manager fake: AWS JSON 1.1 (POST /, X-Amz-Target `secretsmanager.<Op>`).
 * Keeps versions with AWSCURRENT / AWSPREVIOUS stages and honours ClientRequestToken idempotency
 * (the same token and value is a no-op; the same token with another value is refused).
 */

export interface FakeSecretsCall {
  op: string;
  input: Record<string, unknown>;
}

interface Version {
  id: string;
  secretString: string;
  stages: string[];
  createdAt: number;
}

interface Secret {
  name: string;
  arn: string;
  versions: Version[];
}

export interface FakeSecretsManager {
  url: string;
  calls: FakeSecretsCall[];
  callsTo(op: string): FakeSecretsCall[];
  createSecret(name: string, value: string): void;
  /** The AWSCURRENT value. */
  current(name: string): string | undefined;
  versionIds(name: string): string[];
  failNext(op: string, error: { type: string; message: string; status?: number }): void;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const calls: FakeSecretsCall[] = [];
  const secrets = new Map<string, Secret>();
  const failures = new Map<string, { type: string; message: string; status?: number }>();

  const find = (id: unknown): Secret => {
    const secret = secrets.get(String(id)) ?? [...secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const current = (secret: Secret) => secret.versions.find((v) => v.stages.includes('AWSCURRENT'))!;

  const putVersion = (secret: Secret, value: string, token: unknown) => {
    const id = typeof token === 'string' && token ? token : randomUUID();
    const existing = secret.versions.find((v) => v.id === id);
    if (existing) {
      if (existing.secretString !== value) {
        throw new ApiError('ResourceExistsException', `You can't modify an existing version, you can only create a new version. VersionId: ${id}`);
      }
      return existing;
    }
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    const previous = current(secret);
    previous.stages = previous.stages.filter((s) => s !== 'AWSCURRENT').concat('AWSPREVIOUS');
    const version: Version = { id, secretString: value, stages: ['AWSCURRENT'], createdAt: Date.now() / 1000 };
    secret.versions.push(version);
    return version;
  };

  const ops: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue(input) {
      const secret = find(input.SecretId);
      const version = input.VersionId
        ? secret.versions.find((v) => v.id === input.VersionId)
        : secret.versions.find((v) => v.stages.includes(String(input.VersionStage ?? 'AWSCURRENT')));
      if (!version) throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the requested version.");
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.secretString, VersionStages: version.stages, CreatedDate: version.createdAt };
    },
    PutSecretValue(input) {
      const secret = find(input.SecretId);
      if (typeof input.SecretString !== 'string') throw new ApiError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const version = putVersion(secret, input.SecretString, input.ClientRequestToken);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },
    UpdateSecret(input) {
      const secret = find(input.SecretId);
      if (typeof input.SecretString !== 'string') return { ARN: secret.arn, Name: secret.name };
      const version = putVersion(secret, input.SecretString, input.ClientRequestToken);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^secretsmanager\./, '');
      try {
        const input = JSON.parse(raw || '{}') as Record<string, unknown>;
        calls.push({ op, input });
        const handler = ops[op];
        if (!target.startsWith('secretsmanager.') || !handler) throw new ApiError('UnknownOperationException', `Unknown operation ${target}`);
        const failure = failures.get(op);
        if (failure) {
          failures.delete(op);
          throw new ApiError(failure.type, failure.message, failure.status);
        }
        send(res, 200, handler(input));
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('InternalServiceError', String(error), 500);
        send(res, e.status, { __type: e.type, message: e.message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (op) => calls.filter((c) => c.op === op),
    createSecret(name, value) {
      secrets.set(name, {
        name,
        arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
        versions: [{ id: randomUUID(), secretString: value, stages: ['AWSCURRENT'], createdAt: Date.now() / 1000 }],
      });
    },
    current: (name) => {
      const secret = secrets.get(name);
      return secret ? current(secret).secretString : undefined;
    },
    versionIds: (name) => secrets.get(name)?.versions.map((v) => v.id) ?? [],
    failNext(op, error) {
      failures.set(op, error);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
