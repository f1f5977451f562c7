import { parseTaskDefinitionArn } from './names.js';
import { replanCommand, type EcsPlanData } from './plan-data.js';

/** Copy-paste commands for the on-call engineer, built from the plan. Pure. */

function regionFlag(data: EcsPlanData): string {
  return data.region ? ` --region ${data.region}` : '';
}

export function eventsCommand(data: EcsPlanData): string {
  return `aws ecs describe-services --cluster ${data.cluster} --services ${data.service}${regionFlag(data)} --query 'services[0].events[:10]'`;
}

/** Where to look when new tasks do not stay up: stopped tasks, their reasons and the container logs. */
export function crashHint(data: EcsPlanData): string {
  const family = parseTaskDefinitionArn(data.targetTaskDefinition)?.family ?? data.service;
  const logGroup = data.logGroup ?? `/ecs/${family}`;
  return (
    `See why the new tasks stopped: aws ecs list-tasks --cluster ${data.cluster} --service-name ${data.service} --desired-status STOPPED${regionFlag(data)}, ` +
    `then aws ecs describe-tasks --cluster ${data.cluster} --tasks <task-arn>${regionFlag(data)} --query 'tasks[].[stoppedReason,containers[].reason]'; ` +
    `container logs: aws logs tail ${logGroup} --since 30m${regionFlag(data)}. ` +
    `Then pick a revision that starts, with ${replanCommand(data)} to <revision>.`
  );
}
