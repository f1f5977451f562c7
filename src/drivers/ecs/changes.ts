import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { imageTag, revisionLabel, shortImage } from './names.js';

/** Labels and the card's change lines for two task definitions. Pure. */

/** The container people mean by "the version": the one named like the service, else the first essential one. */
export function mainContainer(td: TaskDefinition, serviceName: string): ContainerDefinition | undefined {
  const containers = td.containerDefinitions ?? [];
  return containers.find((c) => c.name === serviceName) ?? containers.find((c) => c.essential !== false) ?? containers[0];
}

/** `distrocv-api:42 (api:v2.0.1)`. */
export function taskDefinitionLabel(td: TaskDefinition, serviceName: string): string {
  const name = revisionLabel(td.taskDefinitionArn ?? '');
  const main = mainContainer(td, serviceName);
  if (!main?.image) return name;
  return `${name} (${main.name}:${imageTag(main.image) ?? shortImage(main.image)})`;
}

function sizeChange(what: string, from: string | number | undefined, to: string | number | undefined): string[] {
  if (String(from ?? '') === String(to ?? '')) return [];
  return [`${what}: ${from ?? 'unset'} → ${to ?? 'unset'}`];
}

/** One line per difference that matters on a rollback card: images, added/removed containers, cpu and memory. */
export function describeChanges(current: TaskDefinition, target: TaskDefinition): string[] {
  const lines: string[] = [];
  const before = new Map((current.containerDefinitions ?? []).map((c) => [c.name ?? '', c]));
  const after = new Map((target.containerDefinitions ?? []).map((c) => [c.name ?? '', c]));
  for (const [name, was] of before) {
    const will = after.get(name);
    if (!will) {
      lines.push(`container ${name}: removed (runs ${shortImage(was.image ?? '?')} today)`);
      continue;
    }
    if (was.image !== will.image) lines.push(`image ${name}: ${shortImage(was.image ?? '?')} → ${shortImage(will.image ?? '?')}`);
    lines.push(...sizeChange(`cpu ${name}`, was.cpu, will.cpu), ...sizeChange(`memory ${name}`, was.memory, will.memory));
  }
  for (const [name, will] of after) {
    if (!before.has(name)) lines.push(`container ${name}: added (${shortImage(will.image ?? '?')})`);
  }
  lines.push(...sizeChange('task cpu', current.cpu, target.cpu), ...sizeChange('task memory', current.memory, target.memory));
  if (lines.length === 0) lines.push('same images, cpu and memory (other settings such as environment variables may differ)');
  return lines;
}
