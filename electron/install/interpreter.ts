// Which node the installed helper's first line names. It runs as root, so it must be a
// file only root can change (a node in someone's home, an nvm install, would make the
// helper as writable as that home). A root-owned system node is used as it is; failing
// that, the node running install-helper is copied beside the helper (root:root 0755).
import { existsSync, realpathSync } from 'node:fs';
import { execFileResult } from '../util/exec';
import { describeProblem, whoElseCanChange } from '../kernel/file-trust';
import { join } from 'node:path';

/** Debian 12's nodejs is 18: what the bundles are built for. */
export const MIN_NODE_MAJOR = 18;
export const NODE_CANDIDATES = ['/usr/bin/node', '/usr/bin/nodejs', '/usr/local/bin/node'];

export type InterpreterChoice = { path: string; copyFrom: string | null; why: string } | { error: string };

export interface InterpreterDeps {
  candidates?: readonly string[];
  /** The node running install-helper (process.execPath), and whether it is really Electron. */
  running: string;
  runningIsElectron: boolean;
  libDir: string;
  exists?: (p: string) => boolean;
  realpath?: (p: string) => string;
  problems?: (p: string) => string[];
  major?: (p: string) => Promise<number | null>;
}

/** Major version `node --version` prints, or null when it is not a node that runs. */
export async function nodeMajor(path: string): Promise<number | null> {
  const r = await execFileResult(path, ['--version'], { timeoutMs: 10_000, env: { PATH: '/usr/bin:/bin' } }).catch(() => null);
  const m = r?.code === 0 ? /^v(\d+)\./.exec(r.stdout.trim()) : null;
  return m ? Number(m[1]) : null;
}

export async function chooseInterpreter(d: InterpreterDeps): Promise<InterpreterChoice> {
  const exists = d.exists ?? existsSync;
  const realpath = d.realpath ?? realpathSync;
  const problems = d.problems ?? ((p: string) => whoElseCanChange(p).map(describeProblem));
  const major = d.major ?? nodeMajor;
  const refused: string[] = [];
  for (const c of d.candidates ?? NODE_CANDIDATES) {
    if (!exists(c)) continue;
    const real = realpath(c);
    const p = problems(real);
    if (p.length) {
      refused.push(`${c}: ${p[0]}`);
      continue;
    }
    const v = await major(real);
    if (v === null || v < MIN_NODE_MAJOR) {
      refused.push(`${c}: ${v === null ? 'does not run' : `node ${v} is older than ${MIN_NODE_MAJOR}`}`);
      continue;
    }
    return { path: real, copyFrom: null, why: `${real} (node ${v}, only root can change it)` };
  }
  if (!d.runningIsElectron) {
    const v = await major(d.running);
    if (v !== null && v >= MIN_NODE_MAJOR) {
      const path = join(d.libDir, 'node');
      return { path, copyFrom: d.running, why: `a copy of ${d.running} (node ${v}): no root-owned system node${refused.length ? ` (${refused.join('; ')})` : ''}` };
    }
  }
  return { error: `no node ${MIN_NODE_MAJOR} or newer that only root can change${refused.length ? ` (${refused.join('; ')})` : ''}: install Debian's: sudo apt install nodejs` };
}
