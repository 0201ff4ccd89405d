// Capturing a user's own rootless containers needs no root at all: their network
// namespaces belong to a user namespace the user owns, so the user's own backend runs
//   setpriv --pdeathsig KILL -- nsenter -U --preserve-credentials -n -t PID --
//     setpriv --pdeathsig KILL -- tcpdump -Z root -i IF --immediate-mode -w OUTPUT -U -n -s SNAPLEN [-c N] [-- FILTER]
// The uid stays the user's (it is root only inside that user namespace), so OUTPUT is opened
// with the user's permissions; `-Z root` keeps tcpdump from switching to user `tcpdump`, whose
// subordinate uid could not open the user's file. The kernel clears the parent-death signal
// when nsenter changes credentials, hence the second setpriv. The events and replies are the
// helper's (shared/helper-protocol.ts), so LiveCapture cannot tell the two apart.
import { EngineStderr } from '../../../shared/capture-report';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { HelperEvent, HelperEventData, HelperParsedParams, HelperResult, TcpdumpCounters, TcpdumpEnd, TcpdumpSpec } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import { FILTER_CPU_SEC, listenTimeoutMs } from '../../kernel/bpf-filter';
import { ownEntryPid } from '../../kernel/user-namespaces';
import { findTool } from '../../util/exec';

const GONE = /disappeared|ENXIO|went down|No such device|ENODEV|Network is down|doesn't exist/i;
/**
 * The backend checked the filter under this CPU limit before the capture (filter-check.ts)
 * without telling us how long it took: each tcpdump may need as long again to compile it.
 */
const FILTER_COMPILE_BOUND_MS = FILTER_CPU_SEC * 1000;
const POLL_MS = 1000;

type StartParams = HelperParsedParams<'startCapture'>;

export interface RootlessTools {
  setpriv: string;
  nsenter: string;
  tcpdump: string;
  dumpcap: string | null;
}

/** As the helper does it: dumpcap writes pcapng itself, naming the interface and commenting the section. */
export function rootlessArgv(pid: number, spec: Pick<TcpdumpSpec, 'iface' | 'output' | 'label' | 'comment'>, p: Pick<StartParams, 'snaplen' | 'filter' | 'packetCount' | 'immediate' | 'engine' | 'captureComment'>, tools: RootlessTools): string[] {
  const argv = [tools.setpriv, '--pdeathsig', 'KILL', '--', tools.nsenter, '-U', '--preserve-credentials', '-n', '-t', String(pid), '--', tools.setpriv, '--pdeathsig', 'KILL', '--'];
  if (p.engine === 'dumpcap') {
    if (!tools.dumpcap) throw new CodedError('UNSUPPORTED', 'dumpcap (Debian: wireshark-common) is not installed');
    argv.push(tools.dumpcap, '-i', spec.iface);
    if (spec.label) argv.push('--ifname', spec.label);
    if (spec.comment) argv.push('--ifdescr', spec.comment);
    argv.push('-s', String(p.snaplen), '-w', spec.output);
    if (p.filter.trim()) argv.push('-f', p.filter);
    if (p.packetCount) argv.push('-c', String(p.packetCount));
    if (p.captureComment) argv.push('--capture-comment', p.captureComment);
    return argv;
  }
  argv.push(tools.tcpdump, '-Z', 'root', '-i', spec.iface);
  if (p.immediate ?? true) argv.push('--immediate-mode');
  argv.push('-w', spec.output, '-U', '-n', '-s', String(p.snaplen));
  if (p.packetCount) argv.push('-c', String(p.packetCount));
  if (p.filter.trim()) argv.push('--', p.filter);
  return argv;
}

class Runner {
  child: ChildProcess | null = null;
  ended: TcpdumpEnd | null = null;
  message: string | null = null;
  private listeningAt = 0;
  private readonly err: EngineStderr;
  private signalled = false;
  private exited: Array<() => void> = [];

  constructor(
    readonly index: number,
    readonly spec: TcpdumpSpec,
    private readonly dumpcap: boolean,
    private readonly onEnd: (r: Runner) => void,
  ) {
    this.err = new EngineStderr(dumpcap);
  }

  get linkType(): string {
    return this.err.linkType;
  }
  get listening(): boolean {
    return this.err.listening;
  }
  get captured(): number {
    return this.err.captured;
  }

  counters(): TcpdumpCounters {
    return this.err.counters(this.index, this.ended, this.message);
  }

  start(argv: string[], packetCount: number | undefined, listenWithinMs: number): Promise<void> {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], shell: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.stop(500);
        reject(new CodedError('INTERNAL', `tcpdump on ${this.spec.iface} did not start within ${listenWithinMs} ms`));
      }, listenWithinMs);
      const settle = (e?: Error) => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      child.stderr!.on('data', (chunk: Buffer) => {
        if (this.err.push(chunk.toString('utf8'))) {
          this.listeningAt = Date.now();
          settle();
        }
      });
      child.on('error', (e) => this.finish('error', e.message, settle));
      child.on('close', (code, signal) => {
        this.err.end();
        const msg = this.err.lastError(/^(tcpdump|nsenter): /) ?? `tcpdump exited (${signal ?? code})`;
        if (this.signalled) this.finish('stopped', msg, settle);
        else if (code === 0 && packetCount) this.finish('exited', `${this.captured} packets captured (-c ${packetCount})`, settle);
        else this.finish(GONE.test(this.err.tail) ? 'gone' : 'error', msg, settle);
      });
    });
  }

  private finish(kind: TcpdumpEnd, message: string, settle: (e?: Error) => void): void {
    if (this.ended) return;
    this.ended = kind;
    this.message = message;
    if (!this.listening) settle(new CodedError(/ermission denied|not permitted/i.test(message) ? 'PERMISSION_DENIED' : kind === 'gone' ? 'NOT_FOUND' : 'INTERNAL', `${this.spec.iface}: ${message}`));
    this.onEnd(this);
    for (const f of this.exited.splice(0)) f();
  }

  /** SIGUSR1 asks for counters; before tcpdump's handler exists (just after "listening") it would kill it. */
  poll(): void {
    // dumpcap reports as it writes; SIGUSR1 would end it.
    if (!this.dumpcap && this.listening && !this.ended && Date.now() - this.listeningAt >= 250) this.child?.kill('SIGUSR1');
  }

  stop(graceMs = 1500): Promise<void> {
    if (this.ended || !this.child) return Promise.resolve();
    this.signalled = true;
    this.child.kill('SIGINT');
    return new Promise((resolve) => {
      const t = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
      this.exited.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

interface Group {
  params: StartParams;
  runners: Runner[];
  timers: NodeJS.Timeout[];
  stopping: Promise<HelperResult<'stopCapture'>> | null;
  lastReport: string;
}

/** Captures of the user's own rootless containers, answered exactly as the helper answers. */
export class RootlessCaptures {
  private readonly groups = new Map<string, Group>();
  private readonly events = new EventEmitter();

  constructor(private readonly entryPid: (h: { inode: number; path: string }) => number | null = (h) => ownEntryPid(h)) {}

  /** Whether this one interface is in a namespace we may enter ourselves. */
  canTake(spec: TcpdumpSpec): boolean {
    return spec.netns !== null && this.entryPid(spec.netns) !== null;
  }

  has(captureId: string): boolean {
    return this.groups.has(captureId);
  }

  on<E extends HelperEvent>(event: E, listener: (data: HelperEventData<E>) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  async start(p: StartParams): Promise<HelperResult<'startCapture'>> {
    if (this.groups.has(p.captureId)) throw new CodedError('INVALID_INPUT', `capture ${p.captureId} already exists`);
    const g: Group = { params: p, runners: [], timers: [], stopping: null, lastReport: '' };
    this.groups.set(p.captureId, g);
    g.timers.push(setInterval(() => this.poll(p.captureId, g), POLL_MS));
    g.timers.push(setTimeout(() => void this.stopGroup(p.captureId, g), p.maxDurationSec * 1000));
    try {
      const ifaces = await Promise.all(p.ifaces.map((s) => this.add(p.captureId, g, s, p.ifaces.length)));
      return { captureId: p.captureId, ifaces };
    } catch (e) {
      await this.stopGroup(p.captureId, g);
      this.groups.delete(p.captureId);
      throw e;
    }
  }

  attach(captureId: string, spec: TcpdumpSpec): Promise<HelperResult<'attachInterface'>> {
    const g = this.groups.get(captureId);
    if (!g) throw new CodedError('NOT_FOUND', `no capture ${captureId}`);
    if (g.stopping) throw new CodedError('ALREADY_STOPPED', `capture ${captureId} has ended`);
    return this.add(captureId, g, spec);
  }

  stop(captureId: string): Promise<HelperResult<'stopCapture'>> {
    const g = this.groups.get(captureId);
    if (!g) throw new CodedError('NOT_FOUND', `no capture ${captureId}`);
    if (g.stopping) throw new CodedError('ALREADY_STOPPED', `capture ${captureId} has already ended`);
    return this.stopGroup(captureId, g);
  }

  /** Every tcpdump of ours ends (the backend is closing). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.groups].map(([id, g]) => this.stopGroup(id, g)));
  }

  private async add(captureId: string, g: Group, spec: TcpdumpSpec, startingTogether = 1): Promise<HelperResult<'attachInterface'>> {
    const pid = spec.netns ? this.entryPid(spec.netns) : null;
    if (pid === null) throw new CodedError('PERMISSION_DENIED', `${spec.iface}: its namespace is not one of your rootless containers' (capturing it needs the helper)`);
    const setpriv = findTool('setpriv');
    const nsenter = findTool('nsenter');
    const tcpdump = findTool('tcpdump');
    if (!setpriv || !nsenter || !tcpdump) throw new CodedError('UNSUPPORTED', 'capturing needs tcpdump and util-linux (setpriv, nsenter)');
    const argv = rootlessArgv(pid, spec, g.params, { setpriv, nsenter, tcpdump, dumpcap: findTool('dumpcap') });
    const runner = new Runner(g.runners.length, spec, g.params.engine === 'dumpcap', (r) => {
      if (!g.stopping && r.ended !== 'stopped' && r.listening) this.events.emit('captureIfaceEnded', { captureId, index: r.index, reason: r.ended!, message: r.message ?? '', counters: r.counters() });
    });
    g.runners.push(runner);
    await runner.start(argv, g.params.packetCount, listenTimeoutMs(g.params.filter.trim() ? FILTER_COMPILE_BOUND_MS : 0, startingTogether));
    return { index: runner.index, linkType: runner.linkType, bufferKiB: 0 };
  }

  private poll(captureId: string, g: Group): void {
    for (const r of g.runners) r.poll();
    const ifaces = g.runners.map((r) => r.counters());
    const key = JSON.stringify(ifaces);
    if (key === g.lastReport) return;
    g.lastReport = key;
    this.events.emit('captureStats', { captureId, ifaces });
  }

  private stopGroup(captureId: string, g: Group): Promise<HelperResult<'stopCapture'>> {
    g.stopping ??= (async () => {
      for (const t of g.timers) clearTimeout(t);
      await Promise.all(g.runners.map((r) => r.stop()));
      return { captureId, ifaces: g.runners.map((r) => r.counters()) };
    })();
    return g.stopping;
  }
}
