/** Runs `fn` over `items` with at most `limit` in flight; stops taking new items after the first failure or an abort. */
export async function forEachLimit<T>(items: readonly T[], limit: number, signal: AbortSignal, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      signal.throwIfAborted();
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
