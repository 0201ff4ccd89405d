// Run a short-lived tool (ip, tcpdump -d) and collect its output, optionally
// inside a namespace handed over as an fd (see netns.ts).
import { closeSync } from 'node:fs';
import { execFileResult, findTool } from '../util/exec';
import { CodedError } from '../../shared/result';
import { nsenterPrefix, openNetns, type NetnsHandleLike } from './netns';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

export function run(argv: string[], opts: { netns?: NetnsHandleLike | null; timeoutMs?: number; maxBytes?: number } = {}): Promise<RunResult> {
  let full = argv;
  let nsFd: number | null = null;
  if (opts.netns) {
    const nsenter = findTool('nsenter');
    if (!nsenter) return Promise.reject(new CodedError('UNSUPPORTED', 'nsenter is not installed'));
    nsFd = openNetns(opts.netns); // throws TARGET_GONE when the handle no longer leads there
    full = [...nsenterPrefix(nsenter), ...argv];
  }
  // spawn dups the fd into the child synchronously: ours can be closed as soon as it returns.
  const result = execFileResult(full[0]!, full.slice(1), {
    env: ENV,
    timeoutMs: opts.timeoutMs ?? 10_000,
    maxOutputBytes: opts.maxBytes ?? 32 << 20,
    extraFds: nsFd !== null ? [nsFd] : [],
  });
  if (nsFd !== null) closeSync(nsFd);
  return result.then(({ code, stdout, stderr }) => ({ code, stdout, stderr }));
}
