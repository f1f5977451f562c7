import { randomUUID } from 'node:crypto';
import { jsonResponse, jsonRoute } from './json.js';
import { AwsError, AwsFake, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';

/**
 * A wire-level AWS Secrets Manager fake: AWS JSON 1.1 (POST /, X-Amz-Target `secretsmanager.<Op>`).
 * Keeps versions with AWSCURRENT / AWSPREVIOUS stages and honours ClientRequestToken idempotency
 * (the same token and value is a no-op; the same token with another value is refused).
 */

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

/** Secrets Manager (JSON 1.1): GetSecretValue, PutSecretValue, UpdateSecret. */
export class SecretsManagerFake extends AwsFake {
  private readonly secrets = new Map<string, Secret>();

  static start(options?: FakeOptions): Promise<SecretsManagerFake> {
    return new SecretsManagerFake(options).start();
  }

  createSecret(name: string, value: string): void {
    this.secrets.set(name, {
      name,
      arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
      versions: [{ id: randomUUID(), secretString: value, stages: ['AWSCURRENT'], createdAt: Date.now() / 1000 }],
    });
  }

  /** The AWSCURRENT value. */
  current(name: string): string | undefined {
    const secret = this.secrets.get(name);
    return secret ? currentVersion(secret).secretString : undefined;
  }

  versionIds(name: string): string[] {
    return this.secrets.get(name)?.versions.map((v) => v.id) ?? [];
  }

  protected route(req: FakeRequest): Route | undefined {
    return jsonRoute(req, 'secretsmanager.', this.operations);
  }

  protected renderError(error: AwsError): FakeResponse {
    return jsonResponse({ __type: error.code, message: error.message }, error.status);
  }

  private find(id: unknown): Secret {
    const secret = this.secrets.get(String(id)) ?? [...this.secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new AwsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private putVersion(secret: Secret, value: string, token: unknown): Version {
    const id = typeof token === 'string' && token ? token : randomUUID();
    const existing = secret.versions.find((v) => v.id === id);
    if (existing) {
      if (existing.secretString !== value) {
        throw new AwsError('ResourceExistsException', 400, `You can't modify an existing version, you can only create a new version. VersionId: ${id}`);
      }
      return existing;
    }
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    const previous = currentVersion(secret);
    previous.stages = previous.stages.filter((s) => s !== 'AWSCURRENT').concat('AWSPREVIOUS');
    const version: Version = { id, secretString: value, stages: ['AWSCURRENT'], createdAt: Date.now() / 1000 };
    secret.versions.push(version);
    return version;
  }

  private readonly operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue: (input) => {
      const secret = this.find(input.SecretId);
      const version = input.VersionId
        ? secret.versions.find((v) => v.id === input.VersionId)
        : secret.versions.find((v) => v.stages.includes(String(input.VersionStage ?? 'AWSCURRENT')));
      if (!version) throw new AwsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret value for the requested version.");
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.secretString, VersionStages: version.stages, CreatedDate: version.createdAt };
    },
    PutSecretValue: (input) => {
      const secret = this.find(input.SecretId);
      if (typeof input.SecretString !== 'string') throw new AwsError('InvalidParameterException', 400, 'You must provide either SecretString or SecretBinary.');
      const version = this.putVersion(secret, input.SecretString, input.ClientRequestToken);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },
    UpdateSecret: (input) => {
      const secret = this.find(input.SecretId);
      if (typeof input.SecretString !== 'string') return { ARN: secret.arn, Name: secret.name };
      const version = this.putVersion(secret, input.SecretString, input.ClientRequestToken);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },
  };
}

function currentVersion(secret: Secret): Version {
  return secret.versions.find((v) => v.stages.includes('AWSCURRENT'))!;
}

/** The Secrets Manager fake under the names the tests use. */
export type FakeSecretsManager = SecretsManagerFake;

export function startFakeSecretsManager(options: FakeOptions = {}): Promise<SecretsManagerFake> {
  return SecretsManagerFake.start(options);
}
