// Compiling a BPF filter with `tcpdump -d` (no interface, no capture, no privilege
// needed), under a CPU limit: how the backend checks a filter as the user types it,
// and how the root helper checks it again, as the invoking user, before capturing.
import { CodedError } from '../../shared/result';

export const FILTER_CPU_SEC = 5;

/** A capturing tcpdump's own start, before it says "listening on". */
const LISTEN_BASE_MS = 5000;

/**
 * How long a capturing tcpdump (or dumpcap) may take to say it listens. It compiles the
 * filter again, as long as the check took, and the ones started together share the CPUs:
 * a filter the check accepted after 4 s must not fail the start as "did not start".
 */
export function listenTimeoutMs(filterCompileMs: number, startingTogether: number): number {
  return LISTEN_BASE_MS + Math.ceil(filterCompileMs) * Math.max(1, startingTogether);
}

/** `prlimit --cpu=N:N -- tcpdump -d -y EN10MB -- FILTER`. */
export function compileFilterArgv(tools: { prlimit: string; tcpdump: string }, filter: string, cpuSec = FILTER_CPU_SEC): string[] {
  return [tools.prlimit, `--cpu=${cpuSec}:${cpuSec}`, '--', tools.tcpdump, '-d', '-y', 'EN10MB', '--', filter];
}

/** tcpdump's refusal as BAD_FILTER, in its own words. */
export function filterFailure(r: { code: number | null; signal: string | null; stderr: string }, filter: string, cpuSec = FILTER_CPU_SEC): CodedError {
  if (r.signal === 'SIGXCPU' || r.signal === 'SIGKILL') return new CodedError('BAD_FILTER', `the filter took more than ${cpuSec} s of CPU to compile: simplify it`);
  const msg = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? `tcpdump exited ${r.code}`;
  return new CodedError('BAD_FILTER', `${msg.replace(/^tcpdump: /, '')} (filter: ${filter.slice(0, 200)})`);
}
