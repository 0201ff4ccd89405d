// Captures on remote hosts: one `ssh HOST CAPTURE...` per interface whose stdout (the
// remote tcpdump's pcap) goes straight into the FIFO the MergedWriter reads, so a remote
// interface is one more pcap stream in the same merge. Replies and events are the helper's
// (shared/helper-protocol.ts): LiveCapture cannot tell them apart. A host that drops ends
// only its own interfaces, each with the reason.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { IfaceName } from '../../../shared/capture';
import type { HelperEvent, HelperEventData, HelperParsedParams, HelperResult, TcpdumpCounters, TcpdumpEnd, TcpdumpSpec } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import type { RemoteHost } from './remote-host';
import { CAPTURE } from './remote-scripts';
import { describeSshFailure } from './ssh';

/** Remote interfaces' indexes start here, so they never meet the local helper's. */
export const REMOTE_INDEX_BASE = 100_000;
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 4000;
const STDERR_KEEP = 8192;
const GONE = /target gone|No such device|doesn't exist|went down|ENXIO|ENODEV|Network is down/i;

/** A TcpdumpSpec that names the remote host it runs on (never sent to the local helper: its schema is strict). */
export type RemoteSpec = TcpdumpSpec & { host?: string };
type StartParams = Omit<HelperParsedParams<'startCapture'>, 'ifaces'> & { ifaces: RemoteSpec[] };

class RemoteRunner {
  child: ChildProcess | null = null;
  listening = false;
  linkType = '';
  captured = 0;
  receivedByFilter = 0;
  droppedByKernel = 0;
  ended: TcpdumpEnd | null = null;
  message: string | null = null;
  private stderr = '';
  private stopping = false;
  private readonly exitWaiters: Array<() => void> = [];

  constructor(
    readonly index: number,
    readonly host: RemoteHost,
    readonly spec: RemoteSpec,
    private readonly onEnd: (r: RemoteRunner) => void,
  ) {}

  counters(): TcpdumpCounters {
    return { index: this.index, captured: this.captured, receivedByFilter: this.receivedByFilter, droppedByKernel: this.droppedByKernel, ended: this.ended, message: this.ended ? this.message : null };
  }

  start(filter: string, snaplen: number): Promise<void> {
    const { pid, inode } = remoteEntry(this.spec);
    const iface = IfaceName.parse(this.spec.iface);
    const fd = openOurFifo(this.spec.output);
    let child: ChildProcess;
    try {
      child = this.host.transport.spawn(CAPTURE, [String(pid), String(inode), iface, String(snaplen), Buffer.from(filter, 'utf8').toString('base64')], fd);
    } finally {
      closeSync(fd); // the child holds its own copy
    }
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.stop();
        reject(new CodedError('HELPER_UNAVAILABLE', `${this.host.address.id}: tcpdump on ${iface} did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      const settle = (e?: Error) => {
        clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      child.stderr!.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
        const m = !this.listening ? /listening on .*, link-type ([^,]+)/.exec(this.stderr) : null;
        if (m) {
          this.linkType = m[1]!.trim();
          this.listening = true;
          settle();
        }
        const last = (re: RegExp) => [...this.stderr.matchAll(re)].map((x) => Number(x[1])).pop();
        this.captured = last(/(\d+) packets? captured/g) ?? this.captured;
        this.receivedByFilter = last(/(\d+) packets? received by filter/g) ?? this.receivedByFilter;
        this.droppedByKernel = last(/(\d+) packets? dropped by kernel/g) ?? this.droppedByKernel;
      });
      child.stdin!.on('error', () => undefined);
      child.on('error', (e) => this.finish('error', `${this.host.address.id}: ${e.message}`, settle));
      child.on('close', (code, signal) => {
        if (this.stopping) return this.finish('stopped', 'stopped', settle);
        if (code === 255) {
          const sshSaid = this.stderr.split('\n').filter((l) => l.trim() && !/^(tcpdump|vethscope):|packets? (captured|received|dropped)/.test(l.trim())).join('\n');
          const why = sshSaid ? describeSshFailure(this.host.address.id, { code, stderr: sshSaid }).message.slice(this.host.address.id.length + 2) : 'ssh exited with 255';
          return this.finish('error', `${this.host.address.id}: the SSH connection was lost (${why}); this host's part of the capture ended here, the rest of the file is intact`, settle);
        }
        const said = this.lastWords() ?? `tcpdump there exited (${signal ?? code})`;
        this.finish(code === 65 || GONE.test(this.stderr) ? 'gone' : 'error', `${this.host.address.id}: ${said}`, settle);
      });
    });
  }

  private lastWords(): string | null {
    const lines = this.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/packets? (captured|received by filter|dropped by kernel)|^tcpdump: listening on|^vethscope: excluding/.test(l));
    return lines.length ? lines[lines.length - 1]!.replace(/^(tcpdump|nsenter|vethscope): /, '').slice(0, 300) : null;
  }

  private finish(kind: TcpdumpEnd, message: string, settle: (e?: Error) => void): void {
    if (this.ended) return;
    this.ended = kind;
    this.message = message;
    if (!this.listening) settle(new CodedError(/ermission denied|not permitted|password/i.test(message) ? 'PERMISSION_DENIED' : kind === 'gone' ? 'TARGET_GONE' : 'HELPER_UNAVAILABLE', message));
    this.onEnd(this);
    for (const w of this.exitWaiters.splice(0)) w();
  }

  /** Close its stdin: the remote script stops tcpdump (SIGTERM: it flushes and counts), ssh exits. */
  stop(): Promise<void> {
    if (this.ended || !this.child) return Promise.resolve();
    this.stopping = true;
    this.child.stdin?.end();
    return new Promise((resolve) => {
      const t = setTimeout(() => this.child?.kill('SIGTERM'), STOP_GRACE_MS);
      this.exitWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** pid and inode of the namespace to enter there (the handle was made from that host's topology). */
function remoteEntry(spec: RemoteSpec): { pid: number; inode: number } {
  const m = spec.netns ? /^\/proc\/(\d+)\/ns\/net$/.exec(spec.netns.path) : null;
  if (!spec.netns || !m) throw new CodedError('UNSUPPORTED', `${spec.host}: ${spec.iface} is in a namespace with no process to enter it by: not captured remotely`);
  return { pid: Number(m[1]), inode: spec.netns.inode };
}

/** The write end of a FIFO our own writer made (and holds the read end of): refused unless a FIFO. */
function openOurFifo(path: string): number {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    throw new CodedError('INTERNAL', `${path} is not the capture's FIFO`);
  }
  return fd;
}

interface Group {
  params: StartParams;
  runners: RemoteRunner[];
  stopping: Promise<HelperResult<'stopCapture'>> | null;
  timer: NodeJS.Timeout;
}

export class RemoteCaptures {
  private readonly groups = new Map<string, Group>();
  private readonly events = new EventEmitter();
  private next = REMOTE_INDEX_BASE;

  constructor(private readonly hostOf: (id: string) => RemoteHost | undefined) {}

  has(captureId: string): boolean {
    return this.groups.has(captureId);
  }

  on<E extends HelperEvent>(event: E, listener: (data: HelperEventData<E>) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  async start(p: StartParams): Promise<HelperResult<'startCapture'>> {
    if (this.groups.has(p.captureId)) throw new CodedError('INVALID_INPUT', `capture ${p.captureId} already has remote interfaces`);
    const g: Group = { params: p, runners: [], stopping: null, timer: setTimeout(() => void this.stopGroup(p.captureId, g), p.maxDurationSec * 1000) };
    this.groups.set(p.captureId, g);
    try {
      const ifaces = await Promise.all(p.ifaces.map((s) => this.add(p.captureId, g, s)));
      return { captureId: p.captureId, ifaces };
    } catch (e) {
      await this.stopGroup(p.captureId, g);
      this.groups.delete(p.captureId);
      throw e;
    }
  }

  attach(captureId: string, spec: RemoteSpec): Promise<HelperResult<'attachInterface'>> {
    const g = this.groups.get(captureId);
    if (!g || g.stopping) throw new CodedError('ALREADY_STOPPED', `capture ${captureId} has no running remote part`);
    return this.add(captureId, g, spec);
  }

  stop(captureId: string): Promise<HelperResult<'stopCapture'>> {
    const g = this.groups.get(captureId);
    if (!g) throw new CodedError('NOT_FOUND', `no remote capture ${captureId}`);
    return this.stopGroup(captureId, g);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.groups].map(([id, g]) => this.stopGroup(id, g)));
  }

  private async add(captureId: string, g: Group, spec: RemoteSpec): Promise<HelperResult<'attachInterface'>> {
    const host = spec.host ? this.hostOf(spec.host) : undefined;
    if (!host) throw new CodedError('NOT_FOUND', `no remote host ${spec.host ?? '(none)'}: add it first`);
    const r = new RemoteRunner(this.next++, host, spec, (x) => {
      if (!g.stopping && x.ended !== 'stopped' && x.listening) this.events.emit('captureIfaceEnded', { captureId, index: x.index, reason: x.ended!, message: x.message ?? '', counters: x.counters() });
    });
    g.runners.push(r);
    await r.start(g.params.filter, g.params.snaplen);
    return { index: r.index, linkType: r.linkType, bufferKiB: 0 };
  }

  private stopGroup(captureId: string, g: Group): Promise<HelperResult<'stopCapture'>> {
    g.stopping ??= (async () => {
      clearTimeout(g.timer);
      await Promise.all(g.runners.map((r) => r.stop()));
      this.groups.delete(captureId);
      return { captureId, ifaces: g.runners.map((r) => r.counters()) };
    })();
    return g.stopping;
  }
}
