// Compile the filter before any capturing tcpdump starts, so a bad filter is BAD_FILTER
// with tcpdump's own words. It runs as the invoking user (root adds nothing to compiling),
// under a CPU limit, at most HELPER_LIMITS.filterCompilations at once: a legal but huge
// filter costs its author seconds of their own CPU and never piles up root processes.
import { HELPER_LIMITS } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import { compileFilterArgv, filterFailure } from '../../kernel/bpf-filter';
import { execFileResult, findTool } from '../../util/exec';
import type { Invoker } from '../identity';

let running = 0;
const queue: Array<() => void> = [];
/** Aborted at shutdown: running compilations are killed, queued ones never start. */
const shutdown = new AbortController();

const cancelled = () => new CodedError('INTERNAL', 'the helper is shutting down: the filter was not compiled');

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= HELPER_LIMITS.filterCompilations) await new Promise<void>((r) => queue.push(r));
  if (shutdown.signal.aborted) {
    queue.shift()?.();
    throw cancelled();
  }
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** Kill every compilation and refuse new ones (the helper is exiting: nothing may outlive it). */
export function stopCompilations(): void {
  shutdown.abort();
  for (const wake of queue.splice(0)) wake();
}

/** setpriv as `user` with no capabilities (killed if the helper dies), then prlimit and tcpdump -d. */
export function compileAsUserArgv(filter: string, user: Pick<Invoker, 'uid' | 'gid'>, tools: { setpriv: string; prlimit: string; tcpdump: string }): string[] {
  const drop = [tools.setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--pdeathsig', 'KILL', '--'];
  return [...drop, ...compileFilterArgv(tools, filter, HELPER_LIMITS.filterCpuSec)];
}

/** Compiles `filter` as `user`; resolves with how long tcpdump took (ms), the capture will take as long again. */
export async function compileFilter(filter: string, user: Pick<Invoker, 'uid' | 'gid'>): Promise<number> {
  if (!filter.trim()) return 0;
  const setpriv = findTool('setpriv');
  const prlimit = findTool('prlimit');
  const tcpdump = findTool('tcpdump');
  if (!setpriv || !prlimit || !tcpdump) throw new CodedError('UNSUPPORTED', 'tcpdump and util-linux (setpriv, prlimit) are needed to check the filter');
  const argv = compileAsUserArgv(filter, user, { setpriv, prlimit, tcpdump });
  let tookMs = 0;
  const r = await slot(async () => {
    const t0 = performance.now();
    const done = await execFileResult(argv[0]!, argv.slice(1), { timeoutMs: (HELPER_LIMITS.filterCpuSec + 5) * 1000, maxOutputBytes: 4 << 20, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' }, signal: shutdown.signal });
    tookMs = performance.now() - t0;
    return done;
  });
  if (shutdown.signal.aborted) throw cancelled();
  if (r.code !== 0) throw filterFailure(r, filter, HELPER_LIMITS.filterCpuSec);
  return tookMs;
}
