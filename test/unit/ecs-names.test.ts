import { describe, expect, it } from 'vitest';
import { imageTag, parseTaskDefinitionArn, parseVersion, revisionLabel, shortImage } from '../../src/drivers/ecs/names.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/distrocv-api:41';

describe('ECS names', () => {
  it('reads family and revision from a task definition ARN', () => {
    expect(parseTaskDefinitionArn(ARN)).toEqual({ family: 'distrocv-api', revision: 41 });
    expect(parseTaskDefinitionArn('distrocv-api:41')).toBeUndefined();
    expect(revisionLabel(ARN)).toBe('distrocv-api:41');
  });

  it('accepts the version forms `to` understands and nothing else', () => {
    expect(parseVersion('41')).toEqual({ kind: 'revision', revision: 41 });
    expect(parseVersion(' distrocv-api:41 ')).toEqual({ kind: 'revision', family: 'distrocv-api', revision: 41 });
    expect(parseVersion(ARN)).toEqual({ kind: 'arn', arn: ARN, family: 'distrocv-api', revision: 41 });
    expect(parseVersion('v2.0.0-build-1234')).toEqual({ kind: 'tag', tag: 'v2.0.0-build-1234' });
    expect(parseVersion('../../etc/passwd')).toBeUndefined();
    expect(parseVersion('v1; rm -rf /')).toBeUndefined();
    expect(parseVersion('')).toBeUndefined();
  });

  it('shortens image references to repository:tag', () => {
    expect(shortImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/distrocv-api:v2.0.1')).toBe('distrocv-api:v2.0.1');
    expect(shortImage('localhost:5000/api:1.2')).toBe('api:1.2');
    expect(shortImage('nginx')).toBe('nginx');
    expect(shortImage(`repo/api@sha256:${'ab'.repeat(32)}`)).toBe('api@sha256:abababababab');
  });

  it('finds the tag of an image, ignoring registry ports and digests', () => {
    expect(imageTag('localhost:5000/api:1.2')).toBe('1.2');
    expect(imageTag('registry/api:v2@sha256:abc')).toBe('v2');
    expect(imageTag('localhost:5000/api')).toBeUndefined();
  });
});
