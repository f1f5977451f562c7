import { randomInt, randomUUID } from 'node:crypto';
import { jsonResponse, jsonRoute } from './json.js';
import { AwsError, AwsFake, type FakeOptions, type FakeRequest, type FakeResponse, type Route } from './server.js';

/**
 * A wire-level AWS Secrets Manager fake: AWS JSON 1.1 (POST /, X-Amz-Target `secretsmanager.<Op>`).
 * Keeps versions with AWSCURRENT / AWSPREVIOUS / AWSPENDING stages and honours ClientRequestToken
 * idempotency (the same token and value is a no-op; the same token with another value is refused).
 * RotateSecret runs the rotation itself, in place of a rotation Lambda.
 */

interface Version {
  id: string;
  secretString: string;
  stages: string[];
  createdAt: number;
}

/** What the stand-in for the rotation Lambda does with the current value. */
export interface FakeRotation {
  lambdaArn: string;
  /** The new value from the current one; default: a JSON secret's `password` (or the whole text) replaced. */
  next?: (current: string) => string;
  /** The function fails after createSecret: the new version stays AWSPENDING, AWSCURRENT does not move. */
  fails?: boolean;
}

interface Secret {
  name: string;
  arn: string;
  versions: Version[];
  rotation?: FakeRotation;
  rotationEnabled: boolean;
  lastChangedAt: number;
  lastRotatedAt?: number;
}

const now = () => Date.now() / 1000;
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomPassword(length: number, excludePunctuation: boolean): string {
  const alphabet = excludePunctuation ? ALPHANUMERIC : ALPHANUMERIC + PUNCTUATION;
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function defaultRotation(current: string): string {
  try {
    const fields: unknown = JSON.parse(current);
    if (fields && typeof fields === 'object' && 'password' in fields) return JSON.stringify({ ...fields, password: randomPassword(32, true) });
  } catch {
    // not JSON: the whole value is the credential
  }
  return randomPassword(32, true);
}

/** Secrets Manager (JSON 1.1): GetSecretValue, DescribeSecret, PutSecretValue, UpdateSecret, RotateSecret, GetRandomPassword. */
export class SecretsManagerFake extends AwsFake {
  private readonly secrets = new Map<string, Secret>();

  static start(options?: FakeOptions): Promise<SecretsManagerFake> {
    return new SecretsManagerFake(options).start();
  }

  /** A secret with one AWSCURRENT version; `rotation` configures a rotation function (RotationEnabled). */
  createSecret(name: string, value: string, o: { rotation?: FakeRotation } = {}): void {
    this.secrets.set(name, {
      name,
      arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
      versions: [{ id: randomUUID(), secretString: value, stages: ['AWSCURRENT'], createdAt: now() }],
      ...(o.rotation ? { rotation: o.rotation } : {}),
      rotationEnabled: Boolean(o.rotation),
      lastChangedAt: now(),
    });
  }

  /** Someone else's change (console, CLI): a new AWSCURRENT version. */
  putValue(name: string, value: string): string {
    return this.putVersion(this.find(name), value, undefined).id;
  }

  /** Version id → staging labels, as DescribeSecret shows them. */
  stages(name: string): Record<string, string[]> {
    return Object.fromEntries((this.secrets.get(name)?.versions ?? []).filter((v) => v.stages.length).map((v) => [v.id, v.stages]));
  }

  /** The value of the version with this staging label. */
  valueAt(name: string, stage: string): string | undefined {
    return this.secrets.get(name)?.versions.find((v) => v.stages.includes(stage))?.secretString;
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
    const version: Version = { id, secretString: value, stages: [], createdAt: now() };
    secret.versions.push(version);
    promote(secret, version);
    return version;
  }

  /** The rotation Lambda's four steps at once: createSecret (AWSPENDING), then finishSecret unless it fails. */
  private rotate(secret: Secret, token: unknown): Version {
    const rotation = secret.rotation;
    if (!rotation) throw new AwsError('InvalidRequestException', 400, 'No Lambda rotation function ARN is associated with this secret.');
    const id = typeof token === 'string' && token ? token : randomUUID();
    const existing = secret.versions.find((v) => v.id === id);
    if (existing) return existing;
    if (secret.versions.some((v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT'))) {
      throw new AwsError('InvalidRequestException', 400, "A previous rotation isn't complete. That rotation will be reattempted.");
    }
    const version: Version = {
      id,
      secretString: (rotation.next ?? defaultRotation)(currentVersion(secret).secretString),
      stages: ['AWSPENDING'],
      createdAt: now(),
    };
    secret.versions.push(version);
    if (!rotation.fails) {
      promote(secret, version);
      secret.lastRotatedAt = now();
    }
    return version;
  }

  private readonly operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue: (input) => {
      const secret = this.find(input.SecretId);
      const version = input.VersionId
        ? secret.versions.find((v) => v.id === input.VersionId)
        : secret.versions.find((v) => v.stages.includes(String(input.VersionStage ?? 'AWSCURRENT')));
      if (!version) throw new AwsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret value for the requested version.");
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        SecretString: version.secretString,
        VersionStages: version.stages,
        CreatedDate: version.createdAt,
      };
    },
    DescribeSecret: (input) => {
      const secret = this.find(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        RotationEnabled: secret.rotationEnabled,
        ...(secret.rotation ? { RotationLambdaARN: secret.rotation.lambdaArn, RotationRules: { AutomaticallyAfterDays: 30 } } : {}),
        LastChangedDate: secret.lastChangedAt,
        ...(secret.lastRotatedAt ? { LastRotatedDate: secret.lastRotatedAt } : {}),
        VersionIdsToStages: this.stages(secret.name),
      };
    },
    RotateSecret: (input) => {
      const secret = this.find(input.SecretId);
      if (typeof input.RotationLambdaARN === 'string') secret.rotation = { ...secret.rotation, lambdaArn: input.RotationLambdaARN };
      const version = this.rotate(secret, input.ClientRequestToken);
      secret.rotationEnabled = true;
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
    },
    GetRandomPassword: (input) => {
      const length = input.PasswordLength ?? 32;
      if (typeof length !== 'number' || length < 1 || length > 4096)
        throw new AwsError('InvalidParameterException', 400, 'PasswordLength must be between 1 and 4096.');
      return { RandomPassword: randomPassword(length, input.ExcludePunctuation === true) };
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

/** `version` becomes AWSCURRENT; the old AWSCURRENT becomes AWSPREVIOUS, as Secrets Manager moves them. */
function promote(secret: Secret, version: Version): void {
  const previous = currentVersion(secret);
  for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS' && s !== 'AWSPENDING');
  previous.stages = previous.stages.filter((s) => s !== 'AWSCURRENT').concat('AWSPREVIOUS');
  version.stages = [...version.stages, 'AWSCURRENT'];
  secret.lastChangedAt = now();
}

/** The Secrets Manager fake under the names the tests use. */
export type FakeSecretsManager = SecretsManagerFake;

export function startFakeSecretsManager(options: FakeOptions = {}): Promise<SecretsManagerFake> {
  return SecretsManagerFake.start(options);
}
