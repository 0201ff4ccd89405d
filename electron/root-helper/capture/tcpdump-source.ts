// One tcpdump on one interface, its pcap stream parsed as it arrives.
//
// argv: setpriv --pdeathsig KILL -- [nsenter --net=/proc/self/fd/3 --] tcpdump
//   -i IFACE -w - -U -n -s SNAPLEN -B 65536 -Z root -- FILTER
// -Z root: tcpdump otherwise drops to user `tcpdump` after opening the device,
// and the kernel clears PR_SET_PDEATHSIG on that credential change, so a
// helper killed with SIGKILL would leave tcpdump running (measured: without
// -Z root it survived its parent's SIGKILL, with it it died). We only write to
// a pipe, so tcpdump needs no file permissions of its own.
// --immediate-mode: without it TPACKET_V3 hands packets over in blocks up to
// 1 s late, which breaks the 200 ms merge window (measured: out-of-order
// frames across two veths) and loses the last second when an interface is
// deleted before its block retires.
//   Kept for single-interface captures too (measured with
//   test/bench/immediate-mode.sh, tcpdump 4.99.3 / libpcap 1.10.3): without it
//   tcpdump spends less CPU (200 Mbit/s 0.04 vs 0.17 s, 1 Gbit/s 0.15 vs 0.38 s
//   for 4 s) and its RSS halves (70 vs 134 MB: immediate mode makes libpcap use
//   TPACKET_V2, whose fixed-size frames for a 256 KiB snaplen turn -B 64 MiB
//   into a 128 MiB ring), but a packet reaches the output only when its 1 s
//   block retires (first record after 510 ms vs 10 ms: the < 300 ms time to
//   first packet and the live view go), and SIGINT right after traffic
//   delivered 0 of 10 pings (the unretired block is discarded), so every stop
//   would have to wait a second before signalling.
// -B 65536 (KiB = 64 MiB): the default 2 MiB dropped 0.5-2.6% at veth speed.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, readSync } from 'node:fs';
import { PcapStreamParser, type PcapHeader, type PcapRecord } from '../../formats/pcap/pcap-stream';
import { CodedError } from '../../../shared/result';
import { findTool } from '../../util/exec';
import { nsenterPrefix, openNetns, type NetnsHandleLike } from '../netns';

export interface SourceSpec {
  netns: NetnsHandleLike | null;
  iface: string;
  filter: string;
  snaplen: number;
  /**
   * Direct mode: tcpdump's stdout is this file (fd), so no byte passes through
   * node. The header is read back from the file once tcpdump says it listens.
   */
  outFd?: number;
  /** Direct mode: tcpdump stops by itself after this many packets (-c). */
  count?: number;
  /** Keep --immediate-mode (default true; see the comment at the top). */
  immediate?: boolean;
}

export type EndKind = 'stopped' | 'gone' | 'error';

export interface SourceEvents {
  /** The pcap header arrived (called synchronously, before the first onRecords). */
  onHeader?(h: PcapHeader): void;
  onRecords(recs: PcapRecord[]): void;
  onEnd(kind: EndKind, message: string): void;
}

const GONE = /disappeared|ENXIO|went down|No such device|ENODEV|Network is down|doesn't exist/i;
const STDERR_KEEP = 8192;
/** How long after its header tcpdump is left alone by poll() (its SIGUSR1 handler comes just after). */
const POLL_SETTLE_MS = 250;

export function tcpdumpArgv(spec: SourceSpec, tools: { setpriv: string; nsenter: string; tcpdump: string }): string[] {
  const argv = [tools.setpriv, '--pdeathsig', 'KILL', '--'];
  if (spec.netns) argv.push(...nsenterPrefix(tools.nsenter));
  argv.push(tools.tcpdump, '-i', spec.iface);
  if (spec.immediate !== false) argv.push('--immediate-mode');
  argv.push('-w', '-', '-U', '-n', '-s', String(spec.snaplen), '-B', '65536', '-Z', 'root');
  if (spec.count) argv.push('-c', String(spec.count));
  if (spec.filter.trim()) argv.push('--', spec.filter);
  return argv;
}

export function requireCaptureTools(): { setpriv: string; nsenter: string; tcpdump: string } {
  const setpriv = findTool('setpriv');
  const nsenter = findTool('nsenter');
  const tcpdump = findTool('tcpdump');
  if (!tcpdump) throw new CodedError('UNSUPPORTED', 'tcpdump is not installed');
  if (!setpriv || !nsenter) throw new CodedError('UNSUPPORTED', 'util-linux (setpriv, nsenter) is not installed');
  return { setpriv, nsenter, tcpdump };
}

export class TcpdumpSource {
  // Records are consumed (copied into the output's batch, or by the merger) before the next chunk.
  readonly parser = new PcapStreamParser({ reuseScratch: true });
  private paused = false;
  private child: ChildProcess | null = null;
  private stderrTail = '';
  /** stderr after its last newline (an unfinished line). */
  private lineRest = '';
  private signalled = false;
  private headerSeen = false;
  private headerAt = 0;
  packets = 0;
  bytes = 0;
  dropped = 0;
  receivedByFilter = 0;
  /** What tcpdump says it has written (SIGUSR1 and the final report). */
  captured = 0;
  ended: EndKind | null = null;
  endMessage: string | null = null;
  private headerWaiters: Array<(e?: Error) => void> = [];
  private exitWaiters: Array<() => void> = [];

  constructor(
    readonly spec: SourceSpec,
    private readonly events: SourceEvents,
  ) {}

  get header(): PcapHeader | null {
    return this.parser.header;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns tcpdump; resolves once its pcap header arrived (link type known). */
  start(timeoutMs = 5000): Promise<PcapHeader> {
    try {
      const tools = requireCaptureTools();
      const nsFd = this.spec.netns ? openNetns(this.spec.netns) : null;
      const argv = tcpdumpArgv(this.spec, tools);
      try {
        const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', this.spec.outFd ?? 'pipe', 'pipe'];
        if (nsFd !== null) stdio.push(nsFd);
        this.child = spawn(argv[0]!, argv.slice(1), { stdio, shell: false, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
      } finally {
        if (nsFd !== null) closeSync(nsFd);
      }
    } catch (e) {
      // Never started (namespace gone, tools missing): it is ended, or a session
      // waiting for all of its interfaces to end would wait forever. The caller
      // gets the error itself, so no onEnd.
      this.ended = 'error';
      this.endMessage = (e as Error).message;
      throw e;
    }
    const child = this.child;
    child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.onStderr(chunk.toString('utf8')));
    child.on('error', (e) => this.finish('error', e.message));
    child.on('close', (code, signal) => {
      if (this.lineRest) this.onStderr('\n');
      const msg = this.lastError() ?? `tcpdump exited (${signal ?? code})`;
      if (this.signalled) this.finish('stopped', msg);
      else this.finish(GONE.test(this.stderrTail) ? 'gone' : 'error', msg);
    });
    return new Promise<PcapHeader>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop();
        reject(new CodedError('INTERNAL', `tcpdump on ${this.spec.iface} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      this.headerWaiters.push((e) => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve(this.parser.header!);
      });
    });
  }

  private onData(chunk: Buffer): void {
    let recs: PcapRecord[];
    try {
      recs = this.parser.push(chunk);
    } catch (e) {
      this.stop();
      this.finish('error', `tcpdump stream unreadable: ${(e as Error).message}`);
      return;
    }
    if (this.parser.header && !this.headerSeen) {
      this.headerSeen = true;
      this.headerAt = Date.now();
      this.events.onHeader?.(this.parser.header);
      this.resolveHeader();
    }
    if (recs.length) {
      this.packets += recs.length;
      for (const r of recs) this.bytes += r.origLen;
      this.events.onRecords(recs);
    }
  }

  /** Direct mode: tcpdump flushes the file header before it says "listening on"; read it back. */
  private readFileHeader(tries = 0): void {
    if (this.headerSeen || this.ended || this.spec.outFd === undefined) return;
    const b = Buffer.alloc(24);
    let n = 0;
    try {
      n = readSync(this.spec.outFd, b, 0, 24, 0);
    } catch {
      /* not readable: fall through to the retry */
    }
    if (n < 24) {
      if (tries < 200) setTimeout(() => this.readFileHeader(tries + 1), 5);
      return;
    }
    try {
      this.parser.push(b);
    } catch (e) {
      this.stop();
      this.finish('error', `tcpdump file unreadable: ${(e as Error).message}`);
      return;
    }
    this.headerSeen = true;
    this.headerAt = Date.now();
    this.events.onHeader?.(this.parser.header!);
    this.resolveHeader();
  }

  private onStderr(s: string): void {
    this.stderrTail = (this.stderrTail + s).slice(-STDERR_KEEP);
    if (this.spec.outFd !== undefined && !this.headerSeen && this.stderrTail.includes('listening on')) this.readFileHeader();
    // Only the complete lines that arrived now (not the whole 8 KiB tail each time):
    // the SIGUSR1 one-liner "N packets captured, M packets received by filter, K
    // packets dropped by kernel" and the final report's three lines. Last one wins.
    this.lineRest += s;
    const nl = this.lineRest.lastIndexOf('\n');
    if (nl < 0) {
      if (this.lineRest.length > STDERR_KEEP) this.lineRest = this.lineRest.slice(-STDERR_KEEP);
      return;
    }
    const fresh = this.lineRest.slice(0, nl);
    this.lineRest = this.lineRest.slice(nl + 1);
    if (!fresh.includes('packet')) return;
    const last = (re: RegExp) => {
      let v: number | null = null;
      for (const m of fresh.matchAll(re)) v = Number(m[1]);
      return v;
    };
    this.captured = last(/(\d+) packets? captured/g) ?? this.captured;
    this.dropped = last(/(\d+) packets? dropped by kernel/g) ?? this.dropped;
    this.receivedByFilter = last(/(\d+) packets? received by filter/g) ?? this.receivedByFilter;
  }

  /** tcpdump's last complaint, without its "tcpdump: " prefix and the statistics lines. */
  lastError(): string | null {
    const lines = this.stderrTail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/packets? (captured|received by filter|dropped by kernel)|^tcpdump: listening on/.test(l));
    const last = lines[lines.length - 1];
    return last ? last.replace(/^tcpdump: /, '') : null;
  }

  private resolveHeader(e?: Error): void {
    const w = this.headerWaiters;
    this.headerWaiters = [];
    for (const f of w) f(e);
  }

  private finish(kind: EndKind, message: string): void {
    if (this.ended) return;
    this.ended = kind;
    this.endMessage = message;
    if (this.headerWaiters.length) {
      const code = kind === 'gone' || /No such device|doesn't exist/i.test(message) ? 'NOT_FOUND' : 'INTERNAL';
      this.resolveHeader(new CodedError(code, `${this.spec.iface}: ${message}`));
    }
    this.events.onEnd(kind, message);
    for (const f of this.exitWaiters.splice(0)) f();
  }

  /**
   * Stop reading tcpdump's stdout (backpressure: the pipe fills, tcpdump
   * blocks, its kernel buffer absorbs, then the kernel drops and tcpdump
   * counts the drops) / read again.
   */
  pause(): void {
    if (this.paused || !this.child?.stdout) return;
    this.paused = true;
    this.child.stdout.pause();
  }

  resume(): void {
    if (!this.paused || !this.child?.stdout) return;
    this.paused = false;
    this.child.stdout.resume();
  }

  /** Ask for statistics (tcpdump prints them on SIGUSR1). */
  poll(): void {
    // SIGUSR1's default action is to terminate: tcpdump installs its handler
    // only after it wrote the pcap header, so a source still starting (one just
    // attached while the session polls every second) must not be signalled.
    if (!this.headerSeen || Date.now() - this.headerAt < POLL_SETTLE_MS) return;
    if (!this.ended && this.child?.pid) this.child.kill('SIGUSR1');
  }

  /** SIGINT (tcpdump flushes and reports), SIGKILL after `graceMs`. Resolves when it has exited. */
  stop(graceMs = 2000): Promise<void> {
    if (this.ended || !this.child) return Promise.resolve();
    this.signalled = true;
    this.resume(); // a paused pipe would keep tcpdump blocked in write() and deaf to SIGINT's clean exit
    this.child.kill('SIGINT');
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
      this.exitWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
