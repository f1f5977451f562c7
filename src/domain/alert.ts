/** An alert from a monitoring system, in Rewind's words, whatever its source. */
export interface Alert {
  source: 'alertmanager' | 'cloudwatch' | 'generic';
  /** Identity of the alert in its source (Alertmanager fingerprint, CloudWatch alarm ARN, the generic `id`); one suggestion follows it. */
  key: string;
  name: string;
  status: 'firing' | 'resolved';
  /** When it started firing (ISO 8601); for a resolve that does not say, when it was received. */
  startsAt: string;
  /** When it resolved (ISO 8601). */
  endsAt?: string;
  summary?: string;
  /** Where to see it (Alertmanager generatorURL, the CloudWatch console). */
  url?: string;
}

/** An alert matched to one catalog target. */
export interface RoutedAlert {
  service: string;
  environment: string;
  alert: Alert;
}
