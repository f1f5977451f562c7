/**
 * Crash points for the fault tests (etcd's gofail, in one function): with
 * `REWIND_FAILPOINT=<name>` or `<name>:<text>` set, the process SIGKILLs itself when it reaches
 * that point (and `detail` contains the text). Unset in production: a no-op.
 */
export function failpoint(name: string, detail = ''): void {
  const spec = process.env.REWIND_FAILPOINT;
  if (!spec) return;
  const at = spec.indexOf(':');
  const [want, match] = at === -1 ? [spec, ''] : [spec.slice(0, at), spec.slice(at + 1)];
  if (want === name && detail.includes(match)) process.kill(process.pid, 'SIGKILL');
}
