// One tcpdump on one interface, running as the invoking user with CAP_NET_RAW only.
//
// argv: setpriv --pdeathsig KILL -- [nsenter --net=/proc/self/fd/3 --]
//         setpriv --reuid U --regid G --clear-groups --no-new-privs
//                 --inh-caps -all,+net_raw --ambient-caps -all,+net_raw --bounding-set -all,+net_raw
//                 --pdeathsig KILL --
//         tcpdump -i IFACE --immediate-mode -w OUTPUT -U -n -s SNAPLEN -B KiB [-Z root] [-c N] -- FILTER
// Root is needed only to enter the namespace (nsenter, CAP_SYS_ADMIN) and to hand out
// CAP_NET_RAW; tcpdump itself then runs as the user, so it opens OUTPUT with the user's
// permissions, its writes count against the user's quota, and it cannot use the blocks
// ext4 reserves for root. The kernel clears the parent-death signal on a credential
// change, so the inner setpriv sets it again after switching user: a helper killed with
// SIGKILL takes its tcpdumps with it. -Z root only when the invoking user is root
// (tcpdump would otherwise switch to user `tcpdump`, which cannot open root's 0600 output).
// --immediate-mode: packets leave the kernel at once instead of in 1 s blocks (the merge
// window and the live view need it; test/bench/immediate-mode.sh measured the cost).
import { EngineStderr } from '../../../shared/capture-report';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { CodedError } from '../../../shared/result';
import type { TcpdumpCounters, TcpdumpEnd, TcpdumpSpec } from '../../../shared/helper-protocol';
import { listenTimeoutMs } from '../../kernel/bpf-filter';
import { findTool } from '../../util/exec';
import type { Invoker } from '../identity';
import { nsenterPrefix, openNetns } from '../netns';

export interface CaptureTools {
  setpriv: string;
  nsenter: string;
  tcpdump: string;
  /** Wireshark's capture engine, when installed (it writes pcapng itself). */
  dumpcap: string | null;
}

export interface RunnerOptions {
  filter: string;
  /** How long checking the filter took: the tcpdump compiles it again before it listens. */
  filterCompileMs: number;
  snaplen: number;
  bufferKiB: number;
  packetCount?: number;
  immediate: boolean;
  engine: 'tcpdump' | 'dumpcap';
  captureComment?: string;
}

const GONE = /disappeared|ENXIO|went down|No such device|ENODEV|Network is down|doesn't exist|no longer (running|attached)/i;
/** tcpdump installs its SIGUSR1 handler just after "listening on": leave it alone this long. */
const POLL_SETTLE_MS = 250;
/**
 * dumpcap has no immediate mode: libpcap hands it packets when the kernel retires a ring
 * block, at the latest after its 250 ms read timeout, and a SIGINT before that loses the
 * block (10 pings then SIGINT: 0 packets kept). So dumpcap is asked to stop this much later.
 */
const DUMPCAP_DRAIN_MS = 400;
/**
 * After SIGINT dumpcap still writes what its ring holds (up to -B, 64 MiB) into a file whose
 * dirty pages the kernel may be throttling: at full rate that took over 1.5 s, and the SIGKILL
 * then cut its exit report (its drops read as 0) and could cut the file's end. Under the
 * backend's own 15 s wait for the stop.
 */
const DUMPCAP_GRACE_MS = 10_000;

export function requireCaptureTools(): CaptureTools {
  const setpriv = findTool('setpriv');
  const nsenter = findTool('nsenter');
  const tcpdump = findTool('tcpdump');
  if (!tcpdump) throw new CodedError('UNSUPPORTED', 'tcpdump is not installed');
  if (!setpriv || !nsenter) throw new CodedError('UNSUPPORTED', 'util-linux (setpriv, nsenter) is not installed');
  return { setpriv, nsenter, tcpdump, dumpcap: findTool('dumpcap') };
}

/**
 * setpriv arguments that turn root into the invoking user holding CAP_NET_RAW and nothing
 * else. Root itself keeps uid 0 and also CAP_SETUID/SETGID, which tcpdump's `-Z root`
 * needs (without -Z it would switch to user `tcpdump`, which cannot open root's 0600 output).
 */
export function asUserWithNetRaw(setpriv: string, user: Pick<Invoker, 'uid' | 'gid'>): string[] {
  const caps = user.uid === 0 ? '-all,+net_raw,+setuid,+setgid' : '-all,+net_raw';
  return [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, `--bounding-set=${caps}`, '--pdeathsig', 'KILL', '--'];
}

/**
 * dumpcap writes pcapng straight to OUTPUT, naming the interface `label` (--ifname works for
 * real interfaces too in Wireshark 4.0) and commenting the section. Without -q it reports
 * "Packets: N" as it writes; at exit "Packets received/dropped on interface 'X': R/D".
 */
function dumpcapArgs(spec: TcpdumpSpec, o: RunnerOptions, dumpcap: string): string[] {
  const argv = [dumpcap, '-i', spec.iface];
  if (spec.label) argv.push('--ifname', spec.label);
  if (spec.comment) argv.push('--ifdescr', spec.comment);
  argv.push('-s', String(o.snaplen), '-B', String(Math.max(1, Math.round(o.bufferKiB / 1024))), '-w', spec.output);
  if (o.filter.trim()) argv.push('-f', o.filter);
  if (o.packetCount) argv.push('-c', String(o.packetCount));
  if (o.captureComment) argv.push('--capture-comment', o.captureComment);
  return argv;
}

export function tcpdumpArgv(spec: TcpdumpSpec, o: RunnerOptions, user: Pick<Invoker, 'uid' | 'gid'>, tools: CaptureTools): string[] {
  const argv = [tools.setpriv, '--pdeathsig', 'KILL', '--'];
  if (spec.netns) argv.push(...nsenterPrefix(tools.nsenter));
  if (o.engine === 'dumpcap') {
    if (!tools.dumpcap) throw new CodedError('UNSUPPORTED', 'dumpcap (Debian: wireshark-common) is not installed');
    return [...argv, ...asUserWithNetRaw(tools.setpriv, user), ...dumpcapArgs(spec, o, tools.dumpcap)];
  }
  argv.push(...asUserWithNetRaw(tools.setpriv, user), tools.tcpdump, '-i', spec.iface);
  if (o.immediate) argv.push('--immediate-mode');
  argv.push('-w', spec.output, '-U', '-n', '-s', String(o.snaplen), '-B', String(o.bufferKiB));
  if (user.uid === 0) argv.push('-Z', 'root');
  if (o.packetCount) argv.push('-c', String(o.packetCount));
  if (o.filter.trim()) argv.push('--', o.filter);
  return argv;
}

export class TcpdumpRunner {
  private child: ChildProcess | null = null;
  private err = new EngineStderr(false);
  private signalled = false;
  private listeningAt = 0;
  private startWaiters: Array<(e?: Error) => void> = [];
  private exitWaiters: Array<() => void> = [];
  ended: TcpdumpEnd | null = null;
  get linkType(): string {
    return this.err.linkType;
  }
  get captured(): number {
    return this.err.captured;
  }
  endMessage: string | null = null;

  constructor(
    readonly index: number,
    readonly spec: TcpdumpSpec,
    private readonly onEnd: (r: TcpdumpRunner) => void,
  ) {}

  /** tcpdump said it listens (its output is open). */
  get listening(): boolean {
    return this.listeningAt > 0;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  counters(): TcpdumpCounters {
    return this.err.counters(this.index, this.ended, this.endMessage);
  }

  /** Spawn; resolves once tcpdump says it listens (its output is open), rejects with why it could not. */
  private engine: RunnerOptions['engine'] = 'tcpdump';

  start(o: RunnerOptions, user: Pick<Invoker, 'uid' | 'gid'>, startingTogether = 1): Promise<void> {
    this.engine = o.engine;
    this.err = new EngineStderr(o.engine === 'dumpcap');
    try {
      const tools = requireCaptureTools();
      const nsFd = this.spec.netns ? openNetns(this.spec.netns) : null;
      try {
        const argv = tcpdumpArgv(this.spec, o, user, tools);
        const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
        if (nsFd !== null) stdio.push(nsFd);
        this.child = spawn(argv[0]!, argv.slice(1), { stdio, shell: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
      } finally {
        if (nsFd !== null) closeSync(nsFd); // spawn dup'ed it into the child
      }
    } catch (e) {
      this.finish('error', (e as Error).message);
      throw e;
    }
    const child = this.child;
    child.stderr!.on('data', (chunk: Buffer) => {
      if (this.err.push(chunk.toString('utf8'))) {
        this.listeningAt = Date.now();
        this.settleStart();
      }
    });
    child.on('error', (e) => this.finish('error', e.message));
    child.on('close', (code, signal) => {
      this.err.end();
      const msg = this.lastError() ?? `tcpdump exited (${signal ?? code})`;
      if (this.signalled) this.finish('stopped', msg);
      else if (code === 0 && o.packetCount) this.finish('exited', `${this.captured} packets captured (-c ${o.packetCount})`);
      else this.finish(GONE.test(this.err.tail) ? 'gone' : 'error', msg);
    });
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = listenTimeoutMs(o.filterCompileMs, startingTogether);
      const timer = setTimeout(() => {
        void this.stop(500);
        reject(new CodedError('INTERNAL', `tcpdump on ${this.spec.iface} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      this.startWaiters.push((e) => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      });
    });
  }

  /** tcpdump's last complaint, without its "tcpdump: " prefix and the statistics lines. */
  lastError(): string | null {
    return this.err.lastError(/^tcpdump: /);
  }

  private settleStart(e?: Error): void {
    for (const f of this.startWaiters.splice(0)) f(e);
  }

  private finish(kind: TcpdumpEnd, message: string): void {
    if (this.ended) return;
    this.ended = kind;
    this.endMessage = message;
    if (this.startWaiters.length) {
      const code = kind === 'gone' || /No such device|doesn't exist/i.test(message) ? 'NOT_FOUND' : /ermission denied|not permitted/i.test(message) ? 'PERMISSION_DENIED' : 'INTERNAL';
      this.settleStart(new CodedError(code, `${this.spec.iface}: ${message}`));
    }
    this.onEnd(this);
    for (const f of this.exitWaiters.splice(0)) f();
  }

  /** Ask for statistics (tcpdump prints them on SIGUSR1, whose default action would kill it before its handler exists). */
  poll(): void {
    if (this.engine === 'dumpcap') return; // it reports as it writes; SIGUSR1 would end it
    if (!this.listeningAt || Date.now() - this.listeningAt < POLL_SETTLE_MS) return;
    if (!this.ended && this.child?.pid) this.child.kill('SIGUSR1');
  }

  /**
   * SIGINT (tcpdump flushes and reports; dumpcap after its last ring block reached it),
   * SIGKILL after `graceMs`. Resolves once it has exited.
   */
  stop(graceMs = this.engine === 'dumpcap' ? DUMPCAP_GRACE_MS : 1500): Promise<void> {
    if (this.ended || !this.child) return Promise.resolve();
    this.signalled = true;
    const child = this.child;
    const drain = this.engine === 'dumpcap' && this.listeningAt ? setTimeout(() => child.kill('SIGINT'), DUMPCAP_DRAIN_MS) : (child.kill('SIGINT'), null);
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs + (drain ? DUMPCAP_DRAIN_MS : 0));
      this.exitWaiters.push(() => {
        clearTimeout(t);
        if (drain) clearTimeout(drain);
        resolve();
      });
    });
  }
}
