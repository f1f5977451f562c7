import type { Redis } from 'ioredis';
import type { StepRecord } from '../domain/timeline.js';
import { FenceLost, type Fence } from './fence.js';
import { keys, type Keys } from './keys.js';

const FENCED_HSET = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1`;

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

  /** Writes a step record, only while `fence` (the run's execution lock) still holds. */
  private async write(id: string, stepId: string, record: StepRecord, fence?: Fence): Promise<void> {
    const ok = await this.redis.eval(FENCED_HSET, 2, this.k.journal(id), fence?.key ?? this.k.journal(id), fence?.value ?? '', stepId, JSON.stringify(record));
    if (ok === -1) throw new FenceLost(id);
  }

  /** Marks a step started, keeping the first start time and checkpoint of an earlier attempt. */
  async start(id: string, stepId: string, previous?: StepRecord, fence?: Fence): Promise<StepRecord> {
    const record: StepRecord = {
      status: 'started',
      startedAt: previous?.startedAt ?? this.now().toISOString(),
      output: previous?.output,
    };
    await this.write(id, stepId, record, fence);
    return record;
  }

  async checkpoint(id: string, stepId: string, record: StepRecord, output: Record<string, unknown>, fence?: Fence): Promise<void> {
    record.output = { ...record.output, ...output };
    await this.write(id, stepId, record, fence);
  }

  async finish(id: string, stepId: string, record: StepRecord, status: 'done' | 'failed', extra: Partial<StepRecord> = {}, fence?: Fence): Promise<StepRecord> {
    const next: StepRecord = { ...record, ...extra, status, endedAt: this.now().toISOString() };
    await this.write(id, stepId, next, fence);
    return next;
  }

  /** Markers for one-time effects outside steps (reminders). */
  async marked(id: string, marker: string): Promise<boolean> {
    return (await this.redis.hexists(this.k.journal(id), `@${marker}`)) === 1;
  }

  async mark(id: string, marker: string): Promise<void> {
    await this.redis.hset(this.k.journal(id), `@${marker}`, this.now().toISOString());
  }

  /** Claims a marker atomically: true for exactly one caller. */
  async claim(id: string, marker: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.k.journal(id), `@${marker}`, this.now().toISOString())) === 1;
  }
}
