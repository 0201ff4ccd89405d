// Shared by the hardening suites: a seeded PRNG, /proc scans, directory snapshots, tshark counts,
// and the real helper spoken to line by line.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { waitFor as pollFor } from '../support/poll';

export const ROOT = resolve(__dirname, '../..');
export const HELPER = resolve(ROOT, 'dist/helper.cjs');
export const CLI = resolve(ROOT, 'bin/vethscope.cjs');
export const isRoot = process.getuid?.() === 0;
export const FULL = process.env.VETHSCOPE_HARDENING_FULL === '1';
export const SEED = Number(process.env.VETHSCOPE_FUZZ_SEED ?? 0x5eed);
/** Every container of this suite carries label vethscope.test=SUITE (runContainer). */
export const SUITE = 'vsx-hardening';

/** mulberry32: small, seeded, reproducible. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof prng>;

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
}

function statOf(pid: string): { ppid: number; comm: string; state: string; cminflt: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const f = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), state: f[0]!, ppid: Number(f[1]), cminflt: Number(f[8]) };
  } catch {
    return null;
  }
}

/** Every live process (zombies excluded). */
export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = statOf(d);
    if (!st || st.state === 'Z') continue;
    let argv: string[] = [];
    try {
      argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    out.push({ pid: Number(d), ppid: st.ppid, comm: st.comm, argv });
  }
  return out;
}

/** Direct and indirect children of `pid`. */
export function descendants(pid: number, procs = processes()): ProcInfo[] {
  const out: ProcInfo[] = [];
  const want = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (want.has(p.ppid) && !want.has(p.pid)) (want.add(p.pid), out.push(p), (grew = true));
  }
  return out;
}

/**
 * Minor faults of children the process has waited for (/proc/PID/stat field cminflt).
 * Every child that ran and was reaped adds to it, however short-lived: a poll of /proc
 * can miss a 2 ms child, this counter cannot.
 */
export function reapedChildFaults(pid: number): number {
  return statOf(String(pid))?.cminflt ?? -1;
}


export function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** name -> "size:mtimeMs:mode" of everything under dir (not following symlinks), plus the dir's own mtime. */
export function snapshot(dir: string, depth = 2): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, left: number) => {
    let st;
    try {
      st = lstatSync(d);
    } catch {
      return;
    }
    out.set(d, `${st.size}:${st.mtimeMs}:${st.mode}`);
    if (!st.isDirectory() || left === 0) return;
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) walk(join(d, n), left - 1);
  };
  walk(dir, depth);
  return out;
}

export function diffSnapshots(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of b) if (!a.has(k)) out.push(`+ ${k}`);
    else if (a.get(k) !== v) out.push(`~ ${k}`);
  for (const k of a.keys()) if (!b.has(k)) out.push(`- ${k}`);
  return out;
}

export interface FileCheck {
  file: string;
  type: string;
  /** tshark -z io,stat,0 frames. */
  tshark: number;
  /** capinfos -c packets (an independent second reader). */
  capinfos: number;
}

/**
 * Read a capture file with tshark and capinfos. Throws with their words when either
 * cannot read it (cut short, not a capture file) or they disagree on the count.
 */
export function checkCaptureFile(file: string): FileCheck {
  const ci = spawnSync('capinfos', ['-M', '-t', '-c', file], { encoding: 'utf8' });
  if (ci.status !== 0) throw new Error(`capinfos cannot read ${file} (exit ${ci.status}): ${(ci.stderr || ci.stdout).trim().slice(0, 400)}`);
  const type = /File type:\s*(.+)/.exec(ci.stdout)?.[1]?.trim() ?? '?';
  if (!/pcap/i.test(type)) throw new Error(`${file} is not a pcap/pcapng file (capinfos: ${type})`);
  const capinfos = Number(/Number of packets:\s*(\d+)/.exec(ci.stdout)?.[1] ?? NaN);
  const ts = spawnSync('tshark', ['-n', '-r', file, '-q', '-z', 'io,stat,0'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const complaint = ts.stderr.split('\n').filter((l) => l.trim() && !/Running as user/.test(l));
  if (ts.status !== 0 || complaint.length) throw new Error(`tshark cannot read ${file} (exit ${ts.status}): ${complaint.join(' ').slice(0, 400)}`);
  // "| 0.000 <> 0.204 |      3 |   294 |"; no such row when the file holds no packets.
  const m = /\|\s*[\d.]+\s*<>\s*(?:[\d.]+|Dur)\s*\|\s*(\d+)\s*\|/.exec(ts.stdout);
  const tshark = m ? Number(m[1]) : 0;
  if (tshark !== capinfos) throw new Error(`${file}: tshark counts ${tshark} packets, capinfos ${capinfos}`);
  return { file, type, tshark, capinfos };
}


/** A Node stack frame on stderr: "    at fn (/path/file.js:12:34)". */
export const STACK_RE = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m;

export { alive, sleep, waitFor } from '../support/poll';

/** Bundle only the helper entry into dist/helper.cjs (the other bundles are their owners' to build). */
export function buildHelperBundle(): string {
  buildSync({ entryPoints: [resolve(ROOT, 'electron/root-helper/main.ts')], outfile: HELPER, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  return HELPER;
}

/** One helper process (`node HELPER ...args`) and every line it said, split into replies and events. */
export class HelperProc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly replies: Array<Record<string, any>> = [];
  readonly events: Array<Record<string, any>> = [];
  readonly unparsable: string[] = [];
  stderr = '';
  private buf = '';
  readonly exit: Promise<{ code: number | null; signal: string | null; at: number }>;

  constructor(args: string[], helper = HELPER) {
    this.child = spawn(process.execPath, [helper, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (c) => (this.stderr = (this.stderr + c).slice(-65536)));
    this.child.stdout.on('data', (c: Buffer) => {
      this.buf += c.toString('utf8');
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        try {
          const m = JSON.parse(line);
          (m && typeof m === 'object' && 'event' in m ? this.events : this.replies).push(m);
        } catch {
          this.unparsable.push(line.slice(0, 200));
        }
      }
    });
    this.exit = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal, at: Date.now() })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Write and wait for the pipe to drain (a 10 MB line must not pile up in our memory). */
  async write(data: string | Buffer): Promise<void> {
    if (!this.child.stdin.write(data)) await new Promise<void>((r) => this.child.stdin.once('drain', () => r()));
  }

  /** Send one request without waiting for its reply. */
  send(id: number, op: string, params: unknown): Promise<void> {
    return this.write(JSON.stringify({ id, op, params }) + '\n');
  }

  /** The reply to request `id`, once it came. */
  reply(id: number, timeoutMs = 20_000): Promise<Record<string, any>> {
    return pollFor(`reply ${id}`, () => this.replies.find((r) => r.id === id), timeoutMs, 10);
  }

  async call(id: number, op: string, params: unknown, timeoutMs = 20_000): Promise<Record<string, any>> {
    await this.send(id, op, params);
    return pollFor(`reply ${id} to ${op}`, () => this.replies.find((r) => r.id === id), timeoutMs, 10);
  }
}

/** /proc/PID/status as fields ({} once it is gone). */
export function procStatus(pid: number): Record<string, string> {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Object.fromEntries(text.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  } catch {
    return {};
  }
}

/** CPU time (user + system) a process has used so far, in clock ticks (-1 once it is gone). */
export function cpuTicks(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return -1;
  }
}

/** Where each open file descriptor of `pid` leads (readlink of /proc/PID/fd/N). */
export function openFiles(pid: number): string[] {
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const fd of fds) {
    try {
      out.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

export interface TcpdumpProc {
  pid: number;
  argv: string[];
  /** Real uid. */
  uid: number;
  rssKb: number;
  /** `tcpdump -d`: a filter compilation, not a capture. */
  compile: boolean;
  /** Its -B argument (KiB), or null. */
  bufferKiB: number | null;
  /** The soft limit on CPU seconds, from /proc/PID/limits ('unlimited' or a number). */
  cpuLimit: string;
}

/** Every tcpdump below `pid` (any depth), as it runs now. */
export function tcpdumpsUnder(pid: number, procs = processes()): TcpdumpProc[] {
  const out: TcpdumpProc[] = [];
  for (const p of descendants(pid, procs)) {
    if (p.comm !== 'tcpdump' || !p.argv[0]?.endsWith('tcpdump')) continue;
    const st = procStatus(p.pid);
    if (!st.Uid) continue;
    const b = p.argv.indexOf('-B');
    let cpuLimit = '?';
    try {
      cpuLimit = /Max cpu time\s+(\S+)/.exec(readFileSync(`/proc/${p.pid}/limits`, 'utf8'))?.[1] ?? '?';
    } catch {
      /* gone */
    }
    out.push({ pid: p.pid, argv: p.argv, uid: Number(st.Uid.split(/\s+/)[0]), rssKb: Number(/(\d+)/.exec(st.VmRSS ?? '0')?.[1] ?? 0), compile: p.argv.includes('-d'), bufferKiB: b >= 0 ? Number(p.argv[b + 1]) : null, cpuLimit });
  }
  return out;
}
