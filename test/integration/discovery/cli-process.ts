// Run the built CLI (bin/vethscope.cjs) as a real process, optionally as another user.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');

/** Rebuild dist/cli.cjs so the spawned CLI is the code under test. */
export function buildCli(): void {
  execFileSync(process.execPath, [resolve(REPO, 'scripts/build.mjs')], { cwd: REPO, stdio: 'inherit' });
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `asNobody`: drop to uid/gid 65534 with no groups (setpriv), as an unprivileged person would run it. */
export function runBuiltCli(args: string[], env: NodeJS.ProcessEnv, asNobody = false): CliRun {
  const node = process.execPath;
  const cmd = asNobody ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', node, resolve(REPO, 'bin/vethscope.cjs'), ...args]] : [node, [resolve(REPO, 'bin/vethscope.cjs'), ...args]];
  const r = spawnSync(cmd[0] as string, cmd[1] as string[], { env, encoding: 'utf8', timeout: 30_000, cwd: '/' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
