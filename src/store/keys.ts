/** Every Redis key Rewind writes, under one prefix so tests and tenants never collide. */
export function keys(prefix: string) {
  return {
    seq: `${prefix}:seq`,
    rollback: (id: string) => `${prefix}:rb:${id}`,
    timeline: (id: string) => `${prefix}:rb:${id}:timeline`,
    journal: (id: string) => `${prefix}:rb:${id}:journal`,
    lock: (target: string) => `${prefix}:lock:${target}`,
    once: (key: string) => `${prefix}:once:${key}`,
    recent: `${prefix}:recent`,
    audit: `${prefix}:audit`,
  };
}
export type Keys = ReturnType<typeof keys>;
