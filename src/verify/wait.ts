/** Sleeps unless the signal aborts first (then rejects with its reason). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `12.3`, `0.04`, `1500`: three significant digits without trailing zeros. */
export function num(value: number): string {
  return String(Number(value.toPrecision(3)));
}
