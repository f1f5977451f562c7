import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Plan, PlanStep } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { PlanRefused } from '../errors.js';
import { dependentLabel, restartTitle } from '../shared/restart/dependents.js';
import { dependentProblem, type RestartClients } from '../shared/restart/restart.js';
import { functionName, regionFlag, RESTART_STEP, ROTATE_STEP, versionToken, type SecretPlanData } from './plan-data.js';
import { currentFields, describeSecret, type SecretInfo } from './secrets.js';
import type { GeneratedValues, SecretTarget } from './target.js';

export interface PlanDeps {
  secrets: SecretsManagerClient;
  restart: RestartClients;
}

type Rotation = SecretPlanData['rotation'];

function rotatorLabel(info: SecretInfo): string {
  const name = functionName(info.lambdaArn);
  return name ? `its rotation function ${name}` : 'its managed rotation';
}

/** Lambda rotation: refused unless the secret has rotation configured and no rotation is stuck half-way. */
function lambdaRotation(info: SecretInfo, target: SecretTarget): Rotation {
  const where = regionFlag(target);
  if (!info.rotationEnabled) {
    throw new PlanRefused(
      `Secret ${info.name} has no rotation configured, so \`rotation: lambda\` cannot rotate it. ` +
        `Either configure its rotation function (aws secretsmanager rotate-secret --secret-id ${info.name} --rotation-lambda-arn <function-arn> --rotation-rules AutomaticallyAfterDays=30${where}), ` +
        'or, for a secret only your app checks (signing keys, session secrets), use `rotation: { generate: { keys: [...] } }` in the catalog.',
    );
  }
  if (info.pending) {
    const logs = functionName(info.lambdaArn);
    throw new PlanRefused(
      `A previous rotation of secret ${info.name} did not finish: version ${info.pending} is still AWSPENDING, and Secrets Manager starts no other until it does. ` +
        `${logs ? `Read the rotation function's logs (aws logs tail /aws/lambda/${logs} --since 1h${where}) and fix it; then ` : 'Then '}` +
        `drop the stuck version (aws secretsmanager update-secret-version-stage --secret-id ${info.name} --version-stage AWSPENDING --remove-from-version-id ${info.pending}${where}) and ask again.`,
    );
  }
  return { kind: 'lambda', ...(info.lambdaArn ? { lambdaArn: info.lambdaArn } : {}) };
}

/** Generated values: refused unless the value is a JSON object that has every key to replace (names are shown, never values). */
async function generatedRotation(sm: SecretsManagerClient, info: SecretInfo, generate: GeneratedValues, signal: AbortSignal): Promise<Rotation> {
  const { fields } = await currentFields(sm, info.arn, signal);
  if (!fields) {
    throw new PlanRefused(
      `Secret ${info.name} is not a JSON object, so Rewind cannot give only some of its keys new values. Use \`rotation: lambda\` with its rotation function, or store it as JSON key/value pairs.`,
    );
  }
  const missing = generate.keys.filter((k) => !Object.hasOwn(fields, k));
  if (missing.length) {
    throw new PlanRefused(
      `Secret ${info.name} has no key ${missing.map((k) => `"${k}"`).join(', ')} (its keys: ${Object.keys(fields).join(', ') || 'none'}). Fix rotation.generate.keys in the catalog.`,
    );
  }
  return { kind: 'generate', keys: generate.keys, length: generate.length, excludePunctuation: generate.excludePunctuation };
}

function rotateTitle(name: string, rotation: Rotation, info: SecretInfo): string {
  return rotation.kind === 'generate'
    ? `Rotate secret ${name}: new random ${rotation.keys.join(', ')} (PutSecretValue; the old value stays AWSPREVIOUS)`
    : `Rotate secret ${name} with ${rotatorLabel(info)} (RotateSecret) and wait until the new version is AWSCURRENT`;
}

export async function planSecret(deps: PlanDeps, request: PlanRequest<SecretTarget>, ctx: DriverContext): Promise<Plan> {
  const { target, rollbackId, service, environment } = request;
  if (request.version) {
    throw new PlanRefused(
      `A secret rotation has no versions to pick: ask with \`/rollback ${service} ${environment}\`. The value it replaces stays available as AWSPREVIOUS.`,
    );
  }
  const info = await describeSecret(deps.secrets, target.secretId, ctx.signal);
  if (!info) {
    throw new PlanRefused(
      `Secrets Manager has no secret ${target.secretId}${target.region ? ` in ${target.region}` : ''}. Fix secretId (its name or full ARN) or region for ${service} ${environment} in the catalog.`,
    );
  }
  if (info.deletedAt) {
    throw new PlanRefused(
      `Secret ${info.name} is scheduled for deletion (since ${info.deletedAt.toISOString()}), so rotating it would not help. Restore it first (aws secretsmanager restore-secret --secret-id ${info.name}${regionFlag(target)}) or fix secretId in the catalog.`,
    );
  }
  if (!info.current)
    throw new PlanRefused(`Secret ${info.name} has no AWSCURRENT version, so there is nothing to rotate. Give it a value first, then ask again.`);

  const rotation =
    target.rotation === 'lambda' ? lambdaRotation(info, target) : await generatedRotation(deps.secrets, info, target.rotation.generate, ctx.signal);
  for (const d of target.dependents) {
    const problem = await dependentProblem(d, deps.restart, target.region, ctx.signal);
    if (problem) throw new PlanRefused(`${problem}: fix dependents for ${service} ${environment} in the catalog, Rewind would restart it after the rotation.`);
  }

  const data: SecretPlanData = {
    rollbackId,
    ...(target.region ? { region: target.region } : {}),
    secretId: target.secretId,
    arn: info.arn,
    name: info.name,
    rotation,
    currentVersionId: info.current,
    newVersionId: versionToken(rollbackId, info.arn),
    dependents: target.dependents,
  };
  const steps: PlanStep[] = [
    { id: ROTATE_STEP, title: rotateTitle(info.name, rotation, info), driver: 'secret' },
    ...target.dependents.map((d, i) => ({ id: `${RESTART_STEP}-${i + 1}`, title: restartTitle(d, target.restartTimeout), driver: 'secret' })),
  ];

  const warnings: string[] = [];
  if (rotation.kind === 'generate') {
    warnings.push(
      `Only the copy in Secrets Manager changes. If ${rotation.keys.join(', ')} ${rotation.keys.length > 1 ? 'are credentials' : 'is a credential'} of another system (a database user, a third-party API key), change or revoke ${rotation.keys.length > 1 ? 'them' : 'it'} there too, or the apps restart with a value nothing accepts.`,
    );
    if (info.rotationEnabled) warnings.push(`${info.name} also has ${rotatorLabel(info)}: its next scheduled run replaces these values again.`);
  }
  if (target.dependents.length === 0) warnings.push(`No dependents are listed: running apps keep the old value until they read ${info.name} again.`);

  return {
    driver: 'secret',
    // Enough of the version id for the headline; the changes name it in full.
    current: `${info.name} @ ${info.current.slice(0, 8)}`,
    target: `${info.name} @ new version`,
    changes: [
      rotation.kind === 'generate'
        ? `rotate: secret ${info.name}, new random values for ${rotation.keys.join(', ')} (${rotation.length} characters${rotation.excludePunctuation ? ', no punctuation' : ''}); its other keys are kept`
        : `rotate: secret ${info.name} with ${rotatorLabel(info)}, now (RotateSecret)`,
      `version: AWSCURRENT ${info.current} → new version (the old one stays as AWSPREVIOUS)`,
      ...(target.dependents.length ? [`restart: ${target.dependents.map(dependentLabel).join(', ')}`] : []),
    ],
    steps,
    fingerprint: `${info.arn}@${info.current}`,
    data,
    result: `${info.name} rotated to a new version (the old one kept as AWSPREVIOUS)`,
    ...(warnings.length ? { warnings } : {}),
  };
}
