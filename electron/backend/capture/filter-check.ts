// Checking a filter as the user types it: `tcpdump -d` needs no privilege, so this runs
// in the backend itself (no helper, no password prompt), CPU-limited, two at a time.
import { CodedError } from '../../../shared/result';
import { compileFilterArgv, filterFailure } from '../../kernel/bpf-filter';
import { execFileResult, findTool } from '../../util/exec';

const AT_ONCE = 2;
let running = 0;
const waiting: Array<() => void> = [];

export async function checkFilter(filter: string): Promise<void> {
  if (!filter.trim()) return;
  const prlimit = findTool('prlimit');
  const tcpdump = findTool('tcpdump');
  if (!prlimit || !tcpdump) throw new CodedError('UNSUPPORTED', 'tcpdump and util-linux (prlimit) are needed to check the filter');
  if (running >= AT_ONCE) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    const argv = compileFilterArgv({ prlimit, tcpdump }, filter);
    const r = await execFileResult(argv[0]!, argv.slice(1), { timeoutMs: 15_000, maxOutputBytes: 4 << 20, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
    if (r.code !== 0) {
      const e = filterFailure(r, filter);
      throw new CodedError('BAD_FILTER', `bad filter "${filter}": ${e.message}`);
    }
  } finally {
    running--;
    waiting.shift()?.();
  }
}
