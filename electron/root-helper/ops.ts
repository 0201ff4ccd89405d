// The helper's operations. Params arrive already validated against
// shared/helper-protocol.ts; identity comes from the process, never params.
import type { z } from 'zod';
import { HELPER_PROTOCOL_VERSION, type helperEvents, type helperOps } from '../../shared/helper-protocol';
import { CodedError } from '../../shared/result';
import { listDockerContainers } from '../engines/docker';
import { scanNamespaces } from '../kernel/namespaces';
import { checkDockerSocket, socketDockerApi } from './docker-socket';
import { mapPool } from '../util/exec';
import { CaptureSession } from './capture/merged-capture';
import { DirectCapture, directCapable } from './capture/direct-capture';
import { requireCaptureTools } from './capture/tcpdump-source';
import type { Invoker } from './identity';
import { run } from './run-in-netns';
import { findTool } from '../util/exec';

type P<O extends keyof typeof helperOps> = z.output<(typeof helperOps)[O]['params']>;
type Emit = (event: keyof typeof helperEvents, data: unknown) => void;

const ENDED_KEEP = 256;

export class HelperOps {
  private readonly sessions = new Map<string, CaptureSession | DirectCapture>();

  constructor(
    private readonly invoker: Invoker,
    private readonly emit: Emit,
  ) {}

  hello() {
    return { version: HELPER_PROTOCOL_VERSION, uid: process.getuid?.() ?? -1, pid: process.pid, invokingUid: this.invoker.uid, invokingGid: this.invoker.gid };
  }

  scanNamespaces() {
    return scanNamespaces();
  }

  /** Containers as discovery maps them (names, networks, PIDs; never environments or mounts). */
  async listContainers(p: P<'listContainers'>) {
    checkDockerSocket(p.socket);
    const listing = await listDockerContainers(socketDockerApi(p.socket), `unix://${p.socket}`);
    if (!listing.status.available) throw new CodedError('DOCKER_UNAVAILABLE', listing.status.error?.message ?? 'Docker did not answer');
    return listing.containers;
  }

  /** `tcpdump -d -y LINKTYPE -- FILTER` compiles without opening any interface. */
  async validateFilter(p: P<'validateFilter'>): Promise<{ valid: true; instructions: number }> {
    const linkType = p.linkType ?? 'EN10MB';
    if (!/^[A-Z0-9_]{1,32}$/.test(linkType)) throw new CodedError('INVALID_INPUT', `not a link type name: ${linkType}`);
    const { tcpdump } = requireCaptureTools();
    if (!p.filter.trim()) return { valid: true, instructions: 0 };
    const r = await run([tcpdump, '-d', '-y', linkType, '--', p.filter], { timeoutMs: 10_000 });
    if (r.code !== 0) {
      const msg = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? `tcpdump exited ${r.code}`;
      if (/link type|data link/i.test(msg)) throw new CodedError('INVALID_INPUT', msg.replace(/^tcpdump: /, ''));
      throw new CodedError('BAD_FILTER', `${msg.replace(/^tcpdump: /, '')} (filter: ${p.filter.slice(0, 200)})`);
    }
    return { valid: true, instructions: r.stdout.split('\n').filter((l) => l.startsWith('(')).length };
  }

  async readCounters(p: P<'readCounters'>) {
    const ip = findTool('ip');
    if (!ip) throw new CodedError('UNSUPPORTED', 'iproute2 (ip) is not installed');
    const namespaces = await mapPool(p.namespaces, 4, async (h) => {
      try {
        const r = await run([ip, '-s', '-j', 'link', 'show'], { netns: h, timeoutMs: 10_000 });
        if (r.code !== 0) return { inode: h.inode, error: { code: 'INTERNAL', message: r.stderr.trim() || `ip exited ${r.code}` }, links: [] };
        const links = (JSON.parse(r.stdout) as Array<Record<string, any>>).map((l) => ({
          ifname: String(l.ifname),
          ifindex: Number(l.ifindex),
          rxBytes: Number(l.stats64?.rx?.bytes ?? 0),
          rxPackets: Number(l.stats64?.rx?.packets ?? 0),
          rxDropped: Number(l.stats64?.rx?.dropped ?? 0),
          txBytes: Number(l.stats64?.tx?.bytes ?? 0),
          txPackets: Number(l.stats64?.tx?.packets ?? 0),
          txDropped: Number(l.stats64?.tx?.dropped ?? 0),
        }));
        return { inode: h.inode, error: null, links };
      } catch (e) {
        const code = e instanceof CodedError ? e.code : 'INTERNAL';
        return { inode: h.inode, error: { code, message: (e as Error).message }, links: [] };
      }
    });
    return { namespaces };
  }

  async startCapture(p: P<'startCapture'>) {
    if (this.sessions.has(p.captureId)) throw new CodedError('INVALID_INPUT', `capture ${p.captureId} already exists`);
    if (p.format === 'pcap' && p.ifaces.length > 1) throw new CodedError('INVALID_INPUT', 'classic pcap holds one interface only: use pcapng');
    // A bad filter fails here, before the file exists and before any capturing tcpdump runs.
    if (p.filter.trim()) await this.validateFilter({ filter: p.filter });
    if (p.writer === 'tcpdump' && !directCapable(p)) throw new CodedError('INVALID_INPUT', "writer 'tcpdump' needs classic pcap, one interface and no ring");
    const s = p.writer === 'tcpdump' ? new DirectCapture(p, this.invoker, this.emit) : new CaptureSession(p, this.invoker, this.emit);
    this.sessions.set(p.captureId, s);
    try {
      return await s.start();
    } catch (e) {
      this.sessions.delete(p.captureId);
      throw e;
    } finally {
      this.prune();
    }
  }

  attachInterface(p: P<'attachInterface'>) {
    return this.session(p.captureId).attach(p.iface);
  }

  async stopCapture(p: P<'stopCapture'>) {
    const s = this.session(p.captureId);
    if (s.state === 'ended') throw new CodedError('ALREADY_STOPPED', `capture ${p.captureId} has already ended`);
    return s.end('user');
  }

  private session(id: string): CaptureSession | DirectCapture {
    const s = this.sessions.get(id);
    if (!s) throw new CodedError('NOT_FOUND', `no capture ${id}`);
    return s;
  }

  /** Forget the oldest ended captures (kept only to answer ALREADY_STOPPED). */
  private prune(): void {
    const ended = [...this.sessions].filter(([, s]) => s.state === 'ended');
    for (const [id] of ended.slice(0, Math.max(0, ended.length - ENDED_KEEP))) this.sessions.delete(id);
  }

  /** End every capture (files closed cleanly); used by shutdown and when the client goes away. */
  async endAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].filter((s) => s.state !== 'ended').map((s) => s.end('user')));
  }
}
