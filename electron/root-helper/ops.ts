// The helper's operations. Params arrive already validated against
// shared/helper-protocol.ts; identity comes from the process, never from params.
import { HELPER_LIMITS, HELPER_PROTOCOL_VERSION, type HelperEventData, type HelperParsedParams as P, type HelperResult as R } from '../../shared/helper-protocol';
import { CodedError } from '../../shared/result';
import { listDockerContainers } from '../engines/docker';
import { readHostContainers } from '../engines/host-containers';
import { scanNamespaces } from '../kernel/namespaces';
import { parseIpJson } from '../kernel/ip-json';
import { checkDockerSocket, socketDockerApi } from './docker-socket';
import { findTool, mapPool } from '../util/exec';
import { CaptureGroup } from './capture/capture-group';
import { bufferShareKiB, captureKey, checkRoom, refusePseudoDevice, requireInterface } from './capture/capture-limits';
import { compileFilter } from './capture/filter-compile';
import { requireCaptureTools } from './capture/tcpdump-runner';
import type { Invoker } from './identity';
import { run } from './run-in-netns';

type Emit = <E extends 'captureStats' | 'captureIfaceEnded'>(event: E, data: HelperEventData<E>) => void;

/** Ended captures kept only to answer ALREADY_STOPPED. */
const ENDED_KEEP = 64;

export class HelperOps {
  private readonly captures = new Map<string, CaptureGroup>();

  constructor(
    private readonly invoker: Invoker,
    private readonly emit: Emit,
  ) {}

  hello(): R<'hello'> {
    return { version: HELPER_PROTOCOL_VERSION, uid: process.getuid?.() ?? -1, pid: process.pid, invokingUid: this.invoker.uid, invokingGid: this.invoker.gid };
  }

  scanNamespaces(): Promise<R<'scanNamespaces'>> {
    return scanNamespaces();
  }

  /** Containers as discovery maps them (names, networks, PIDs; never environments or mounts). */
  async listContainers(p: P<'listContainers'>): Promise<R<'listContainers'>> {
    checkDockerSocket(p.socket);
    const listing = await listDockerContainers(socketDockerApi(p.socket), `unix://${p.socket}`);
    if (!listing.status.available) throw new CodedError('DOCKER_UNAVAILABLE', listing.status.error?.message ?? 'Docker did not answer');
    return listing.containers;
  }

  /** Every engine's running containers from the host's files: names, ids, image, pod only. */
  listHostContainers(p: P<'listHostContainers'>): R<'listHostContainers'> {
    return readHostContainers({ viewerUid: 0, dockerStateFiles: p.dockerStateFiles ?? true });
  }

  async readCounters(p: P<'readCounters'>): Promise<R<'readCounters'>> {
    const ip = findTool('ip');
    if (!ip) throw new CodedError('UNSUPPORTED', 'iproute2 (ip) is not installed');
    const namespaces = await mapPool(p.namespaces, 4, async (h) => {
      try {
        const r = await run([ip, '-s', '-j', 'link', 'show'], { netns: h, timeoutMs: 10_000 });
        if (r.code !== 0) return { inode: h.inode, error: { code: 'INTERNAL', message: r.stderr.trim() || `ip exited ${r.code}` }, links: [] };
        const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
        const links = (parseIpJson(r.stdout) as Array<Record<string, any>>).map((l) => ({
          ifname: String(l.ifname),
          ifindex: num(l.ifindex),
          rxBytes: num(l.stats64?.rx?.bytes),
          rxPackets: num(l.stats64?.rx?.packets),
          rxErrors: num(l.stats64?.rx?.errors),
          rxDropped: num(l.stats64?.rx?.dropped),
          txBytes: num(l.stats64?.tx?.bytes),
          txPackets: num(l.stats64?.tx?.packets),
          txErrors: num(l.stats64?.tx?.errors),
          txDropped: num(l.stats64?.tx?.dropped),
        }));
        return { inode: h.inode, error: null, links };
      } catch (e) {
        const code = e instanceof CodedError ? e.code : 'INTERNAL';
        return { inode: h.inode, error: { code, message: (e as Error).message }, links: [] };
      }
    });
    return { namespaces };
  }

  /**
   * Interfaces (and capture ids) promised to requests still starting: between the checks and
   * their tcpdumps listening there are awaits (the interface lookup, the filter compile), and
   * requests that arrive together must not all pass checks made before any of them started.
   */
  private readonly starting = new Map<symbol, { captureId: string | null; keys: string[] }>();

  /** One key per live or promised tcpdump. */
  private takenKeys(): Set<string> {
    const taken = new Set<string>();
    for (const g of this.captures.values()) for (const r of g.live()) taken.add(captureKey(r.spec));
    for (const s of this.starting.values()) for (const k of s.keys) taken.add(k);
    return taken;
  }

  private liveCaptureIds(): Set<string> {
    const ids = new Set([...this.captures].filter(([, g]) => !g.done).map(([id]) => id));
    for (const s of this.starting.values()) if (s.captureId) ids.add(s.captureId);
    return ids;
  }

  /**
   * Everything that can be refused without a process is refused here, and what passes is
   * reserved in the same synchronous step. `captureId` is set for a new capture.
   */
  private reserve(specs: P<'startCapture'>['ifaces'], captureId: string | null): { bufferKiB: number; release: () => void } {
    if (captureId !== null && (this.captures.has(captureId) || [...this.starting.values()].some((s) => s.captureId === captureId)))
      throw new CodedError('INVALID_INPUT', `capture ${captureId} already exists`);
    for (const s of specs) refusePseudoDevice(s.iface);
    const taken = this.takenKeys();
    checkRoom({ liveTcpdumps: taken.size, liveCaptures: this.liveCaptureIds().size, addingTcpdumps: specs.length, newCapture: captureId !== null });
    const keys: string[] = [];
    for (const s of specs) {
      const key = captureKey(s);
      if (taken.has(key)) throw new CodedError('INVALID_INPUT', `${s.iface}${s.netns ? ` in namespace ${s.netns.inode}` : ' on the host'} is already being captured`);
      taken.add(key);
      keys.push(key);
    }
    const token = Symbol(captureId ?? 'attach');
    this.starting.set(token, { captureId, keys });
    return { bufferKiB: bufferShareKiB(taken.size - specs.length, specs.length), release: () => this.starting.delete(token) };
  }

  async startCapture(p: P<'startCapture'>): Promise<R<'startCapture'>> {
    if (p.packetCount && p.ifaces.length > 1) throw new CodedError('INVALID_INPUT', 'packetCount (tcpdump -c) needs exactly one interface');
    const tools = requireCaptureTools();
    if (p.engine === 'dumpcap' && !tools.dumpcap) throw new CodedError('UNSUPPORTED', 'dumpcap (Debian: wireshark-common) is not installed');
    const { bufferKiB, release } = this.reserve(p.ifaces, p.captureId);
    try {
      await Promise.all(p.ifaces.map((s) => requireInterface(s)));
      const filterCompileMs = await compileFilter(p.filter, this.invoker); // BAD_FILTER before any capturing tcpdump runs
      const group = new CaptureGroup(
        p.captureId,
        { filter: p.filter, filterCompileMs, snaplen: p.snaplen, immediate: p.immediate ?? true, engine: p.engine ?? 'tcpdump', ...(p.packetCount ? { packetCount: p.packetCount } : {}), ...(p.captureComment ? { captureComment: p.captureComment } : {}) },
        this.invoker,
        this.emit,
        Math.min(p.maxDurationSec, HELPER_LIMITS.maxDurationSec),
      );
      this.captures.set(p.captureId, group);
      try {
        const ifaces = await Promise.all(p.ifaces.map((s) => group.add(s, bufferKiB, p.ifaces.length)));
        return { captureId: p.captureId, ifaces };
      } catch (e) {
        await group.stop();
        this.captures.delete(p.captureId);
        throw e;
      }
    } finally {
      release();
      this.prune();
    }
  }

  async attachInterface(p: P<'attachInterface'>): Promise<R<'attachInterface'>> {
    const group = this.group(p.captureId);
    if (group.done) throw new CodedError('ALREADY_STOPPED', `capture ${p.captureId} has ended`);
    const { bufferKiB, release } = this.reserve([p.iface], null);
    try {
      await requireInterface(p.iface);
      return await group.add(p.iface, bufferKiB);
    } finally {
      release();
    }
  }

  async stopCapture(p: P<'stopCapture'>): Promise<R<'stopCapture'>> {
    const group = this.group(p.captureId);
    if (group.done) throw new CodedError('ALREADY_STOPPED', `capture ${p.captureId} has already ended`);
    return group.stop();
  }

  private group(id: string): CaptureGroup {
    const g = this.captures.get(id);
    if (!g) throw new CodedError('NOT_FOUND', `no capture ${id}`);
    return g;
  }

  private prune(): void {
    const ended = [...this.captures].filter(([, g]) => g.done);
    for (const [id] of ended.slice(0, Math.max(0, ended.length - ENDED_KEEP))) this.captures.delete(id);
  }

  /** Stop every tcpdump (shutdown, or the client went away). */
  async endAll(): Promise<void> {
    await Promise.all([...this.captures.values()].map((g) => g.stop()));
  }
}
