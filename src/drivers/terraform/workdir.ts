import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temporary directory for one saved plan file, removed afterwards whatever happens. */
export async function withPlanFile<R>(rollbackId: string, fn: (file: string) => Promise<R>): Promise<R> {
  const dir = await mkdtemp(join(tmpdir(), 'rewind-tf-'));
  try {
    return await fn(join(dir, `${rollbackId}.tfplan`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
