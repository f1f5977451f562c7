import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { describeChanges, mainContainer, taskDefinitionLabel } from '../../src/drivers/ecs/changes.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

function td(
  revision: number,
  containers: { name: string; image: string; essential?: boolean; memory?: number }[],
  size: { cpu?: string; memory?: string } = {},
): TaskDefinition {
  return {
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/distrocv-api:${revision}`,
    family: 'distrocv-api',
    revision,
    containerDefinitions: containers,
    cpu: size.cpu ?? '512',
    memory: size.memory ?? '1024',
  };
}

describe('ECS plan labels and changes', () => {
  it('labels a task definition with the main container tag', () => {
    const sidecarFirst = td(42, [
      { name: 'xray', image: 'amazon/aws-xray-daemon:3', essential: false },
      { name: 'web', image: `${ECR}/distrocv-api:v2.0.1` },
    ]);
    expect(mainContainer(sidecarFirst, 'api')?.name).toBe('web');
    expect(taskDefinitionLabel(sidecarFirst, 'api')).toBe('distrocv-api:42 (web:v2.0.1)');
    expect(
      taskDefinitionLabel(
        td(42, [
          { name: 'xray', image: 'x:1' },
          { name: 'api', image: `${ECR}/distrocv-api:v2.0.1` },
        ]),
        'api',
      ),
    ).toBe('distrocv-api:42 (api:v2.0.1)');
  });

  it('lists image, container and size differences', () => {
    const current = td(
      42,
      [
        { name: 'api', image: `${ECR}/distrocv-api:v2.0.1`, memory: 1024 },
        { name: 'worker', image: `${ECR}/distrocv-worker:v2.0.1` },
      ],
      { cpu: '1024', memory: '2048' },
    );
    const target = td(
      41,
      [
        { name: 'api', image: `${ECR}/distrocv-api:v2.0.0`, memory: 512 },
        { name: 'proxy', image: 'nginx:1.25' },
      ],
      { cpu: '512', memory: '2048' },
    );
    expect(describeChanges(current, target)).toEqual([
      'image api: distrocv-api:v2.0.1 → distrocv-api:v2.0.0',
      'memory api: 1024 → 512',
      'container worker: removed (runs distrocv-worker:v2.0.1 today)',
      'container proxy: added (nginx:1.25)',
      'task cpu: 1024 → 512',
    ]);
  });

  it('says so when nothing the card shows differs', () => {
    const same = [{ name: 'api', image: `${ECR}/distrocv-api:v2.0.0` }];
    expect(describeChanges(td(42, same), td(41, same))).toEqual(['same images, cpu and memory (other settings such as environment variables may differ)']);
  });
});
