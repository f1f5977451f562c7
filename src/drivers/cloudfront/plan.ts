import type { CloudFrontClient, DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { formatDuration } from '../../domain/duration.js';
import type { Plan } from '../../domain/rollback.js';
import type { DriverContext, PlanRequest } from '../driver.js';
import { AlreadyThere, PlanRefused } from '../errors.js';
import { serviceCommand } from '../replan.js';
import { backupUrl, fetchBackup, listBackups, versionLabel, type BackupPlace, type BackupVersion } from './backups.js';
import { configDigest, parseBackup } from './config.js';
import { readLiveConfig, type LiveConfig } from './distribution.js';
import type { CloudFrontPlanData, ConfigSource } from './plan-data.js';
import { describeChanges } from './summary.js';
import type { CloudFrontTarget } from './target.js';

export const UPDATE_STEP = 'update';
export const WAIT_STEP = 'wait';
export const DISABLED = 'disabled';

/** How many backups, newest first, a plain `/rollback` reads looking for one that differs from live. */
const SCAN = 10;
/** Up to this many versions are named in refusals. */
const SHOWN = 6;

export interface PlanDeps {
  cloudfront: CloudFrontClient;
  s3: (region?: string) => S3Client;
}

interface Chosen {
  source: ConfigSource;
  config: DistributionConfig;
  label: string;
  /** Why Rewind picked it, when the request named no version. */
  why?: string;
}

/** What a refusal offers instead: the newest versions, and disabling. */
function choices(versions: BackupVersion[], except?: string): string[] {
  return [
    ...versions
      .filter((v) => v.versionId !== except)
      .slice(0, SHOWN)
      .map((v) => v.versionId),
    DISABLED,
  ];
}

function listing(versions: BackupVersion[]): string {
  return versions.slice(0, SHOWN).map(versionLabel).join(', ') + (versions.length > SHOWN ? `, … ${versions.length - SHOWN} older` : '');
}

type ReadBackup = (v: BackupVersion) => Promise<Chosen>;

/** Reads backup versions, refusing any that is not a config of this very distribution. */
function backupReader(
  s3: S3Client,
  place: BackupPlace,
  request: PlanRequest<CloudFrontTarget>,
  live: LiveConfig,
  versions: BackupVersion[],
  signal: AbortSignal,
): ReadBackup {
  const { service, environment, target } = request;
  const region = target.backup?.region;
  return async (v) => {
    const where = `${backupUrl(place)} version ${versionLabel(v)}`;
    const parsed = parseBackup(await fetchBackup(s3, place, v.versionId, `/rollback history ${service} ${environment}`, signal));
    if ('problem' in parsed) {
      throw new PlanRefused(
        `${where} is not a usable CloudFront config backup: ${parsed.problem}. Name another version with \`to <version>\`, and save good backups with \`aws cloudfront get-distribution-config --id ${target.distributionId}\`.`,
        choices(versions, v.versionId),
      );
    }
    const theirs = parsed.config.CallerReference;
    const ours = live.config.CallerReference;
    if (theirs !== ours) {
      throw new PlanRefused(
        `${where} is a backup of another distribution: its CallerReference is "${theirs}", ${target.distributionId}'s is "${ours}". Check backup.key for ${service}/${environment} in the catalog, or name another version with \`to <version>\`.`,
        choices(versions, v.versionId),
      );
    }
    return {
      source: { kind: 'backup', ...place, ...(region ? { region } : {}), versionId: v.versionId },
      config: parsed.config,
      label: `backup ${versionLabel(v)}`,
    };
  };
}

/** No version asked: the newest backup whose config differs from the live one (the newest is often the live config itself). */
async function newestDiffering(read: ReadBackup, versions: BackupVersion[], liveDigest: string, id: string, url: string): Promise<Chosen> {
  const scanned = versions.slice(0, SCAN);
  for (const [i, v] of scanned.entries()) {
    const chosen = await read(v);
    if (configDigest(chosen.config) === liveDigest) continue;
    return {
      ...chosen,
      why: `${v.versionId} is the newest backup in ${url} that differs from the live config${i ? ` (the ${i} newer ${i === 1 ? 'one equals' : 'ones equal'} it)` : ''}`,
    };
  }
  const older = versions.slice(SCAN);
  throw new PlanRefused(
    `The newest ${scanned.length} backup${scanned.length === 1 ? '' : 's'} in ${url} all hold the live config of ${id}: there is nothing different to restore.${older.length ? ` Name an older version with \`to <version>\`: ${listing(older)}.` : ''} Or disable the distribution with \`to ${DISABLED}\`.`,
    [...older.slice(0, SHOWN).map((v) => v.versionId), DISABLED],
  );
}

/** `to <version>`: that version of the backup object, unless it is what is live already. */
async function requestedBackup(read: ReadBackup, versions: BackupVersion[], wanted: string, liveDigest: string, id: string, url: string): Promise<Chosen> {
  const v = versions.find((x) => x.versionId === wanted);
  if (!v) throw new PlanRefused(`${url} has no version "${wanted}". Versions, newest first: ${listing(versions)}.`, choices(versions));
  const chosen = await read(v);
  if (configDigest(chosen.config) === liveDigest)
    throw new PlanRefused(`${id} already serves the config of ${url} version ${wanted}: name another version.`, choices(versions, wanted));
  return chosen;
}

async function chooseBackup(deps: PlanDeps, request: PlanRequest<CloudFrontTarget>, live: LiveConfig, signal: AbortSignal): Promise<Chosen> {
  const { service, environment, target } = request;
  const id = target.distributionId;
  if (!target.backup) {
    throw new PlanRefused(
      `${service}/${environment} has no \`backup\` in the catalog, so Rewind has no earlier config of ${id} to restore. Add \`backup: { bucket, key }\` (a versioned S3 object holding \`aws cloudfront get-distribution-config\` outputs), or disable the distribution with \`/rollback ${service} ${environment} to ${DISABLED}\`.`,
      [DISABLED],
    );
  }
  const place = { bucket: target.backup.bucket, key: target.backup.key };
  const url = backupUrl(place);
  const s3 = deps.s3(target.backup.region);
  const versions = await listBackups(s3, place, signal);
  if (!versions.length) {
    throw new PlanRefused(
      `${url} holds no backup of ${id}. Save one before each change: \`aws cloudfront get-distribution-config --id ${id} > backup-config.json && aws s3 cp backup-config.json ${url}\` (with versioning on for ${place.bucket}). Or disable the distribution with \`to ${DISABLED}\`.`,
      [DISABLED],
    );
  }
  const read = backupReader(s3, place, request, live, versions, signal);
  const liveDigest = configDigest(live.config);
  return request.version ? requestedBackup(read, versions, request.version, liveDigest, id, url) : newestDiffering(read, versions, liveDigest, id, url);
}

/**
 * The runbook's `aws cloudfront update-distribution --distribution-config file://backup-config.json`:
 * reads the live config and its ETag, picks the config to restore (a backup version, or the live
 * one disabled) and describes what changes. Reads only.
 */
export async function planCloudFront(deps: PlanDeps, request: PlanRequest<CloudFrontTarget>, ctx: DriverContext): Promise<Plan> {
  const { service, environment, target } = request;
  const id = target.distributionId;
  const live = await readLiveConfig(deps.cloudfront, id, ctx.signal);
  let chosen: Chosen;
  if (request.version?.toLowerCase() === DISABLED) {
    if (live.config.Enabled === false) {
      throw new AlreadyThere(
        `${id} is disabled already. Restore a backup with \`/rollback ${service} ${environment} to <version>\` (\`/rollback history ${service} ${environment}\` lists them).`,
      );
    }
    chosen = { source: { kind: 'disabled' }, config: { ...live.config, Enabled: false }, label: DISABLED };
  } else {
    chosen = await chooseBackup(deps, request, live, ctx.signal);
  }
  const data: CloudFrontPlanData = {
    distributionId: id,
    etag: live.etag,
    source: chosen.source,
    digest: configDigest(chosen.config),
    targetLabel: chosen.label,
    service,
    environment,
    ...(request.version ? { requestedVersion: request.version } : {}),
  };
  const aliases = live.config.Aliases?.Items ?? [];
  const warnings = [
    `CloudFront takes about 5 to 15 minutes to deploy a config to all its edge locations; until it reports Deployed, some edges serve the old config.`,
  ];
  if (chosen.source.kind === 'disabled') {
    warnings.unshift(
      `A disabled distribution serves nothing: ${aliases.length ? aliases.join(', ') : 'its cloudfront.net domain'} stop${aliases.length === 1 ? 's' : ''} answering until it is enabled again (restore a backup with \`${serviceCommand({ service, environment })} to <version>\`).`,
    );
  }
  return {
    driver: 'cloudfront',
    current: `${id} live config (ETag ${live.etag}${live.config.Enabled === false ? ', disabled' : ''})`,
    target: chosen.label,
    result: chosen.source.kind === 'disabled' ? `${id} disabled` : `${id} config set to ${chosen.label}`,
    changes: [...(chosen.why ? [chosen.why] : []), ...describeChanges(live.config, chosen.config)],
    steps: [
      {
        id: UPDATE_STEP,
        title: `UpdateDistribution ${id} ${chosen.source.kind === 'disabled' ? 'with Enabled=false' : `to ${chosen.label}`} (If-Match ${live.etag})`,
        driver: 'cloudfront',
        input: { etag: live.etag },
      },
      { id: WAIT_STEP, title: `Wait until CloudFront reports ${id} Deployed (up to ${formatDuration(target.deployTimeout)})`, driver: 'cloudfront' },
    ],
    fingerprint: `cloudfront:${id}@${live.etag}`,
    data,
    warnings,
  };
}
