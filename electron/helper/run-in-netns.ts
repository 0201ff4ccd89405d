// Run a short-lived tool (ip, tcpdump -d) and collect its output, optionally
// inside a namespace handed over as an fd (see netns.ts).
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { findTool } from '../util/exec';
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
  const max = opts.maxBytes ?? 32 << 20;
  return new Promise((resolve, reject) => {
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe'];
    if (nsFd !== null) stdio.push(nsFd);
    let child;
    try {
      child = spawn(full[0]!, full.slice(1), { stdio, shell: false, env: ENV });
    } finally {
      if (nsFd !== null) closeSync(nsFd);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (c: Buffer) => {
      size += c.length;
      if (size > max) child.kill('SIGKILL');
      else into.push(c);
    };
    child.stdout!.on('data', collect(out));
    child.stderr!.on('data', collect(err));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}
