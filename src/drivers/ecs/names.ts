/** Task definition names, ARNs, image references and `to <version>` parsing. Pure. */

export interface RevisionRef {
  family: string;
  revision: number;
}

const FAMILY = '[A-Za-z0-9_-]{1,255}';
const TD_ARN = new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:task-definition/(${FAMILY}):(\\d+)$`);
const FAMILY_REVISION = new RegExp(`^(${FAMILY}):(\\d+)$`);
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `arn:...:task-definition/distrocv-api:41` → { family, revision }. */
export function parseTaskDefinitionArn(arn: string): RevisionRef | undefined {
  const m = TD_ARN.exec(arn);
  return m ? { family: m[1]!, revision: Number(m[2]) } : undefined;
}

/** `distrocv-api:41` for an ARN; the input itself when it is not a task definition ARN. */
export function revisionLabel(arn: string): string {
  const ref = parseTaskDefinitionArn(arn);
  return ref ? `${ref.family}:${ref.revision}` : arn;
}

/** What `to <version>` asked for. */
export type VersionRequest =
  { kind: 'revision'; revision: number; family?: string } | { kind: 'arn'; arn: string; family: string; revision: number } | { kind: 'tag'; tag: string };

/** `41`, `distrocv-api:41`, a task definition ARN, or an image tag such as `v2.0.0`; undefined for anything else. */
export function parseVersion(text: string): VersionRequest | undefined {
  const value = text.trim();
  if (/^\d{1,9}$/.test(value)) return { kind: 'revision', revision: Number(value) };
  const arn = parseTaskDefinitionArn(value);
  if (arn) return { kind: 'arn', arn: value, ...arn };
  const fr = FAMILY_REVISION.exec(value);
  if (fr) return { kind: 'revision', family: fr[1]!, revision: Number(fr[2]) };
  if (IMAGE_TAG.test(value)) return { kind: 'tag', tag: value };
  return undefined;
}

/**
 * `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/distrocv-api:v2.0.1` → `distrocv-api:v2.0.1`;
 * digests are cut to 12 hex digits so the line stays readable.
 */
export function shortImage(image: string): string {
  const [name = image, digest] = image.split('@');
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  if (!digest) return lastSegment;
  const [algorithm, hex = ''] = digest.split(':');
  return `${lastSegment}@${algorithm}:${hex.slice(0, 12)}`;
}

/** The tag of an image reference (`v2.0.1`), or undefined for untagged / digest-only images. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0] ?? image;
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
}
