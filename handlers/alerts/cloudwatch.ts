import { z } from 'zod';
import { targetsForAlarm } from '../../src/config/alerts.js';
import type { Catalog } from '../../src/config/catalog.js';
import type { RoutedAlert } from '../../src/domain/alert.js';
import { firstIssue, isoTime } from './parse.js';

/** The JSON a CloudWatch alarm publishes to SNS (the Notification's Message). */
const alarmMessage = z.object({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().nullish(),
  AlarmArn: z.string().optional(),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: z.string().optional(),
  StateChangeTime: isoTime,
});

/** An alarm state change → routed alerts (ALARM fires, OK resolves, INSUFFICIENT_DATA says nothing). */
export function parseAlarm(message: string, catalog: Catalog): { routed: RoutedAlert[] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { error: 'the SNS Message is not JSON: subscribe Rewind to the topic your CloudWatch alarms notify' };
  }
  const parsed = alarmMessage.safeParse(json);
  if (!parsed.success) return { error: `not a CloudWatch alarm notification: ${firstIssue(parsed.error)}` };
  const a = parsed.data;
  if (a.NewStateValue === 'INSUFFICIENT_DATA') return { routed: [] };
  const firing = a.NewStateValue === 'ALARM';
  // `Region` is a display name ("US East (N. Virginia)"); the console link needs the code the ARN holds.
  const region = /^arn:[\w-]+:cloudwatch:([a-z0-9-]+):/.exec(a.AlarmArn ?? '')?.[1];
  const alert = {
    source: 'cloudwatch' as const,
    key: a.AlarmArn ?? a.AlarmName,
    name: a.AlarmName,
    status: firing ? ('firing' as const) : ('resolved' as const),
    startsAt: a.StateChangeTime,
    ...(firing ? {} : { endsAt: a.StateChangeTime }),
    ...((a.NewStateReason ?? a.AlarmDescription) ? { summary: a.NewStateReason ?? a.AlarmDescription ?? '' } : {}),
    ...(region ? { url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(a.AlarmName)}` } : {}),
  };
  return { routed: targetsForAlarm(catalog.alerts, a.AlarmName).map((t) => ({ ...t, alert })) };
}
