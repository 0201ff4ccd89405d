// Setting engines up and putting the host back, with no test framework in it (the discovery
// benchmark uses it too): commands, a busybox root file system, iptables chains.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, input: opts.input, cwd: opts.cwd ?? '/' }).trim();
}

export function tryRun(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, cwd: '/' });
  return { status: r.status, stdout: (r.stdout ?? '').trim(), stderr: (r.stderr ?? '').trim() };
}

/** A busybox file system: every applet a link to /bin/busybox (Debian's busybox-static). */
export function busyboxRoot(dir: string, extra: { osRelease?: boolean } = {}): string {
  for (const d of ['bin', 'tmp', 'etc', 'proc', 'sys', 'dev', 'run', 'var', 'usr/lib']) mkdirSync(join(dir, d), { recursive: true });
  cpSync('/bin/busybox', join(dir, 'bin/busybox'));
  for (const applet of run('/bin/busybox', ['--list']).split('\n')) if (applet && applet !== 'busybox' && !existsSync(join(dir, 'bin', applet))) symlinkSync('busybox', join(dir, 'bin', applet));
  if (extra.osRelease) writeFileSync(join(dir, 'etc/os-release'), 'ID=busybox\nNAME=busybox\n');
  return dir;
}

/** The same tree as a tar, for `podman import`. */
export function busyboxTar(dir: string, tar: string): string {
  run('tar', ['-C', busyboxRoot(dir), '-cf', tar, '.']);
  return tar;
}

/** iptables chains a suite's engines create (CNI, netavark) and leave behind: removed, jumps first. */
export function iptablesChains(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const table of ['filter', 'nat']) {
    const r = tryRun('iptables', ['-t', table, '-S']);
    out.set(table, new Set(r.stdout.split('\n').filter((l) => l.startsWith('-N ')).map((l) => l.slice(3))));
  }
  return out;
}

export function removeNewChains(before: Map<string, Set<string>>): void {
  for (const table of ['filter', 'nat']) {
    const had = before.get(table) ?? new Set();
    const now = iptablesChains().get(table) ?? new Set();
    const fresh = [...now].filter((c) => !had.has(c));
    if (!fresh.length) continue;
    // Every rule jumping into a new chain goes first, then the chains themselves.
    for (const line of tryRun('iptables', ['-t', table, '-S']).stdout.split('\n')) {
      const m = /^-A (\S+) (.*)-j (\S+)/.exec(line);
      if (m && fresh.includes(m[3]!) && !fresh.includes(m[1]!)) tryRun('sh', ['-c', `iptables -t ${table} ${line.replace(/^-A/, '-D')}`]);
    }
    for (const c of fresh) tryRun('iptables', ['-t', table, '-F', c]);
    for (const c of fresh) tryRun('iptables', ['-t', table, '-X', c]);
  }
}
