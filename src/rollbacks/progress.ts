/**
 * Progress lines from a step, posted at most once per `intervalMs`: the thread shows how the
 * rollout moves without a message per poll. The latest suppressed line is posted on flush.
 */
export function throttledProgress(post: (line: string) => Promise<void>, intervalMs: number) {
  let lastAt = 0;
  let pending: string | undefined;
  let chain = Promise.resolve();
  const send = (line: string) => {
    lastAt = Date.now();
    pending = undefined;
    chain = chain.then(() => post(line)).catch(() => undefined);
  };
  return {
    push(line: string) {
      if (Date.now() - lastAt >= intervalMs) send(line);
      else pending = line;
    },
    async flush() {
      if (pending) send(pending);
      await chain;
    },
  };
}
