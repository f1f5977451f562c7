import type { Redis } from 'ioredis';
import type { StepRecord } from '../domain/timeline.js';
import { keys, type Keys } from './keys.js';

/** Per-rollback step journal: the executor's memory across crashes. */
export class StepJournal {
  private readonly k: Keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.k = keys(prefix);
  }

  async all(id: string): Promise<Record<string, StepRecord>> {
    const raw = await this.redis.hgetall(this.k.journal(id));
    return Object.fromEntries(
      Object.entries(raw)
        .filter(([field]) => !field.startsWith('@'))
        .map(([step, json]) => [step, JSON.parse(json) as StepRecord]),
    );
  }

  /** Marks a step started, keeping the first start time and checkpoint of an earlier attempt. */
  async start(id: string, stepId: string, previous?: StepRecord): Promise<StepRecord> {
    const record: StepRecord = {
      status: 'started',
      startedAt: previous?.startedAt ?? this.now().toISOString(),
      output: previous?.output,
    };
    await this.redis.hset(this.k.journal(id), stepId, JSON.stringify(record));
    return record;
  }

  async checkpoint(id: string, stepId: string, record: StepRecord, output: Record<string, unknown>): Promise<void> {
    record.output = { ...record.output, ...output };
    await this.redis.hset(this.k.journal(id), stepId, JSON.stringify(record));
  }

  async finish(id: string, stepId: string, record: StepRecord, status: 'done' | 'failed', extra: Partial<StepRecord> = {}): Promise<StepRecord> {
    const next: StepRecord = { ...record, ...extra, status, endedAt: this.now().toISOString() };
    await this.redis.hset(this.k.journal(id), stepId, JSON.stringify(next));
    return next;
  }

  /**
   * Markers for side effects outside steps (final messages). Set after the effect, so a crash in
   * between repeats the message rather than losing it.
   */
  async marked(id: string, marker: string): Promise<boolean> {
    return (await this.redis.hexists(this.k.journal(id), `@${marker}`)) === 1;
  }

  async mark(id: string, marker: string): Promise<void> {
    await this.redis.hset(this.k.journal(id), `@${marker}`, this.now().toISOString());
  }
}
