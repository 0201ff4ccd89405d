// The capture API on the Backend: start and stop (LiveCapture does the work), the
// saved captures (CaptureLibrary), status. Errors are data with actionable codes.
import { randomUUID } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CaptureRequest, checkFormatFits, type CaptureInfo, type CaptureRequestParsed, type PacketSummary } from '../../../shared/capture';
import type { BackendStatus } from '../../../shared/api';
import type { Topology } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';
import { vethscopeVersion } from '../../util/package-root';
import { findTool } from '../../util/exec';
import type { Backend } from '../backend';
import type { TopologyService } from '../topology/topology-service';
import { CaptureLibrary, writeSidecar } from './capture-library';
import type { Summarize } from './capture-record';
import { checkFilter } from './filter-check';
import type { HelperPort } from './helper-port';
import { launch, launchers } from './launchers';
import { openLive } from './wireshark-live';
import { LiveCapture } from './live-capture';
import { chooseOutput } from './output';
import { baseNameFor, resolveTargets, type ResolvedIface } from './targets';
import { DirectWriter, directCapable } from './writer/direct-writer';
import { FifoDir, openFifoWriter } from './writer/fifo';
import { MergedWriter } from './writer/merged-writer';
import { DumpcapWriter } from './writer/dumpcap-writer';
import type { CaptureWriter, WriterHooks } from './writer/capture-writer';

const EMIT_INTERVAL_MS = 500;
const STOP_TIMEOUT_MS = 20_000;
/** A topology younger than this may resolve targets if its interfaces still exist. */
const CACHE_MS = 10_000;

export interface CaptureServiceDeps {
  topology: TopologyService;
  helper: HelperPort;
  summarize: Summarize;
  capturesDir: string;
  env?: NodeJS.ProcessEnv;
  /** How a filter is checked before anything starts (default: `tcpdump -d` here, unprivileged). */
  checkFilter?: (filter: string) => Promise<void>;
  /** Targets on remote hosts (electron/backend/remote/): resolved on their host; the local ones through the function given. */
  remoteTargets?: { any(targets: CaptureRequestParsed['targets']): boolean; resolve(targets: CaptureRequestParsed['targets'], filter: string, local: (t: CaptureRequestParsed['targets']) => Promise<ResolvedIface[]>): Promise<ResolvedIface[]> };
}

interface Live {
  capture: LiveCapture;
  lastEmit: number;
  emitTimer: NodeJS.Timeout | null;
}

export class CaptureService {
  private readonly live = new Map<string, Live>();
  private readonly fifos = new FifoDir();
  private readonly library: CaptureLibrary;
  private backend: Backend | null = null;

  constructor(private readonly deps: CaptureServiceDeps) {
    this.library = new CaptureLibrary(deps.capturesDir);
  }

  register(backend: Backend): void {
    this.backend = backend;
    const h = this.deps.helper;
    h.on('captureStats', (s) => this.live.get(s.captureId)?.capture.onStats(s));
    h.on('captureIfaceEnded', (e) => this.live.get(e.captureId)?.capture.onIfaceEnded(e));
    // The helper process went away: its tcpdumps died with it (parent-death signal).
    h.onExitEvent(() => {
      for (const [id, l] of this.live) if (!l.capture.record.done && !h.runsWithoutHelper?.(id)) void l.capture.helperDied('the privileged helper exited; the next capture starts a new one');
      // The UI shows whether privileged capture is available: tell it the helper is gone. Nobody
      // listening (the CLI, the extcap): no status, whose Docker ping would outlive the command.
      if (backend.listenerCount('status') > 0) void this.status().then((st) => backend.emit('status', st), () => undefined);
    });

    backend.handle('validateFilter', async ({ filter }) => {
      await this.checkFilter(filter);
      return { valid: true as const };
    });
    backend.handle('startCapture', (req) => this.start(req));
    backend.handle('stopCapture', ({ id }) => this.stop(id));
    backend.handle('listCaptures', () => this.list());
    backend.handle('getPackets', ({ id }) => this.packets(id));
    backend.handle('deleteCapture', async ({ id }) => {
      const info = await this.find(id);
      if (!['stopped', 'failed'].includes(info.state)) throw new CodedError('INVALID_INPUT', `capture ${id} is still running: stop it first`);
      const deleted = await CaptureLibrary.remove(info);
      this.live.delete(id);
      return { deleted };
    });
    backend.handle('saveCaptureAs', async ({ id, path }) => {
      const info = await this.find(id);
      if (!['stopped', 'failed'].includes(info.state)) throw new CodedError('INVALID_INPUT', `capture ${id} is still running: stop it first`);
      return { path: await CaptureLibrary.saveAs(info, path) };
    });
    backend.handle('openCapture', async ({ id, with: w }) => {
      if (w === 'wireshark-live') return openLive(await this.find(id), this.live.get(id)?.capture.req.follow ?? false, this.deps.env ?? process.env);
      const file = (await this.find(id)).files[0];
      if (!file) throw new CodedError('NOT_FOUND', `capture ${id} has no file`);
      const env = this.deps.env ?? process.env;
      return launch(w === 'wireshark' ? 'wireshark' : 'xdg-open', w === 'wireshark' ? file : dirnameOf(file), env);
    });
    backend.handle('getStatus', () => this.status());
    backend.handle('retryHelper', async () => {
      await h.start().catch(() => undefined); // a new prompt after a refusal or a crash
      const s = await this.status();
      backend.emit('status', s);
      return s;
    });
    backend.provideCaptureFiles((id) => this.fileOf(id));
    backend.onClose(() => this.stopAll());
  }

  private checkFilter(filter: string): Promise<void> {
    return (this.deps.checkFilter ?? checkFilter)(filter);
  }

  /** A capture's file, for browser mode's download route: only files the library or this session vouches for. */
  async fileOf(id: string): Promise<string | null> {
    return (await this.find(id).catch(() => null))?.files[0] ?? null;
  }

  private emit(l: Live, force = false): void {
    const backend = this.backend;
    if (!backend) return;
    const now = Date.now();
    const send = () => {
      l.emitTimer = null;
      l.lastEmit = Date.now();
      backend.emit('capture', structuredClone(l.capture.record.info));
    };
    if (force || now - l.lastEmit >= EMIT_INTERVAL_MS) {
      if (l.emitTimer) clearTimeout(l.emitTimer);
      send();
    } else if (!l.emitTimer) l.emitTimer = setTimeout(send, EMIT_INTERVAL_MS - (now - l.lastEmit));
  }

  async start(input: CaptureRequestParsed): Promise<CaptureInfo> {
    const req = CaptureRequest.parse(input);
    const filter = req.filter?.trim() ?? '';
    // Everything that can be refused is refused before any tcpdump runs.
    await this.checkFilter(filter);
    const resolved = await this.resolveFresh(req.targets, filter);
    checkFormatFits(req.format, resolved.length, req.follow);
    // A FIFO someone reads (Wireshark's extcap): the stream is the output, no file is kept.
    const fifo = req.output?.fifo;
    if (fifo && req.ring) throw new CodedError('INVALID_INPUT', 'a ring of files cannot stream into a FIFO');
    const stream = fifo ? await openFifoWriter(fifo) : undefined;
    const out = fifo ? { path: fifo } : await chooseOutput(req.output, baseNameFor(resolved), req.format, this.deps.capturesDir);
    const id = randomUUID();
    let capture: LiveCapture | null = null;
    const hooks: WriterHooks = {
      onLimit: (reason) => capture?.writerLimit(reason),
      onFailure: (reason, error) => capture?.writerFailed(reason, error),
    };
    const writer = this.chooseWriter(req, resolved, out.path, filter, hooks, stream);
    // Where fresh packets go while a front door listens for them, else null (the CLI never does).
    const packetsSink = () => {
      const b = this.backend;
      return b && b.listenerCount('packets') > 0 ? (fresh: PacketSummary[]) => b.emit('packets', { id, packets: fresh }) : null;
    };
    const l: Live = { lastEmit: 0, emitTimer: null, capture: null as unknown as LiveCapture };
    capture = l.capture = new LiveCapture(id, req, writer, {
      helper: this.deps.helper,
      summarize: this.deps.summarize,
      discover: () => this.deps.topology.discover(),
      changed: (force) => this.emit(l, force),
      get packets() {
        return packetsSink();
      },
      ended: () => {
        void writeSidecar(l.capture.record.info);
        this.emit(l, true);
      },
    });
    this.live.set(id, l);
    try {
      await capture.start(resolved);
    } catch (err) {
      this.live.delete(id);
      throw err;
    }
    this.emit(l, true);
    return structuredClone(capture.record.info);
  }

  /**
   * Who writes the file. Classic pcap of one interface: tcpdump itself (DirectWriter). pcapng:
   * dumpcap itself when it is installed (DumpcapWriter, parts merged at the end), except for a
   * ring of files, which the merged writer rotates. VETHSCOPE_PCAP_WRITER=merged forces the
   * streaming writer (benchmarks compare them).
   */
  private chooseWriter(req: ReturnType<typeof CaptureRequest.parse>, resolved: ResolvedIface[], path: string, filter: string, hooks: WriterHooks, stream?: number): CaptureWriter {
    const forced = (this.deps.env ?? process.env).VETHSCOPE_PCAP_WRITER;
    const stop = req.stop ?? {};
    const comment = sectionComment(resolved, filter, req.follow);
    // A remote interface is a pcap stream from ssh: only the merged writer reads streams.
    if (resolved.some((r) => r.host)) return new MergedWriter({ path, format: req.format, ring: req.ring ?? null, sectionComment: comment, filter, stop, ...(stream !== undefined ? { stream } : {}) }, this.fifos, hooks);
    // A stream goes out as it arrives, in time order: the merged writer (the others finish a file at the end).
    if (stream !== undefined) return new MergedWriter({ path, format: req.format, ring: null, sectionComment: comment, filter, stop, stream }, this.fifos, hooks);
    if (forced !== 'merged' && directCapable({ format: req.format, interfaces: resolved.length, ring: req.ring, follow: req.follow })) return new DirectWriter({ path, stop }, hooks);
    if (forced !== 'merged' && req.format === 'pcapng' && !req.ring && dumpcapUsable()) return new DumpcapWriter({ path, sectionComment: comment, stop }, hooks);
    return new MergedWriter({ path, format: req.format, ring: req.ring ?? null, sectionComment: comment, filter, stop }, this.fifos, hooks);
  }

  /**
   * Resolve against the topology the user is looking at when it is recent and still
   * true (a full discovery costs 100s of ms with many containers); otherwise afresh.
   */
  private async resolveFresh(targets: CaptureRequestParsed['targets'], filter: string): Promise<ResolvedIface[]> {
    const remote = this.deps.remoteTargets;
    if (remote?.any(targets)) return remote.resolve(targets, filter, (local) => this.resolveFresh(local, filter));
    const last = this.deps.topology.latest();
    if (last && Date.now() - Date.parse(last.generatedAt) < CACHE_MS) {
      try {
        const r = resolveTargets(last, targets, filter);
        if (await stillThere(r, last)) return r;
      } catch {
        /* maybe created since: discover below */
      }
    }
    return resolveTargets(await this.deps.topology.discover(), targets, filter);
  }

  async stop(id: string): Promise<CaptureInfo> {
    const l = this.live.get(id);
    if (!l) {
      await this.find(id); // NOT_FOUND, or a saved file: which is stopped already
      throw new CodedError('ALREADY_STOPPED', `capture ${id} has already ended`);
    }
    const r = l.capture.record;
    if (r.done) throw new CodedError('ALREADY_STOPPED', `capture ${id} has already ended (${r.info.reason ?? r.info.state})`);
    const ended = l.capture.stop('user');
    const done = await Promise.race([ended.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), STOP_TIMEOUT_MS).unref())]);
    if (!done) throw new CodedError('INTERNAL', `capture ${id} did not end within ${STOP_TIMEOUT_MS / 1000} s`);
    return ended;
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.live.values()].filter((l) => !l.capture.record.done).map((l) => l.capture.stop('user').catch(() => undefined)));
    this.fifos.close();
  }

  async list(): Promise<CaptureInfo[]> {
    const mine = [...this.live.values()].map((l) => structuredClone(l.capture.record.info));
    const known = new Set(mine.flatMap((i) => i.files));
    return [...mine.reverse(), ...(await this.library.list(known))];
  }

  private async find(id: string): Promise<CaptureInfo> {
    const l = this.live.get(id);
    if (l) return l.capture.record.info;
    const saved = await this.library.find(id);
    if (saved) return saved;
    throw new CodedError('NOT_FOUND', `no capture with id ${id}`);
  }

  private async packets(id: string): Promise<PacketSummary[]> {
    const l = this.live.get(id);
    if (l && !l.capture.record.done) return l.capture.recentPackets();
    // Finished (this session's or saved earlier): the file's own first packets, as Wireshark numbers them.
    return CaptureLibrary.packets(await this.find(id), this.deps.summarize);
  }

  async status(): Promise<BackendStatus> {
    const docker = await Promise.race([
      this.deps.topology.docker.ping().then(
        () => ({ available: true }),
        (err: Error) => ({ available: false, error: { code: 'DOCKER_UNAVAILABLE', message: err.message } }),
      ),
      new Promise<BackendStatus['docker']>((r) => setTimeout(() => r({ available: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'Docker did not answer within 2 s' } }), 2000).unref()),
    ]);
    const h = this.deps.helper.status();
    return {
      version: vethscopeVersion(),
      docker,
      privileged: { available: h.available, mode: h.mode, ...(h.error ? { error: h.error } : {}) },
      capturesDir: this.deps.capturesDir,
      launchers: launchers(this.deps.env ?? process.env),
    };
  }
}

/** dumpcap installed and runnable by us (a site may restrict it to a wireshark group: then tcpdump it is). */
function dumpcapUsable(): boolean {
  const path = findTool('dumpcap');
  if (!path) return false;
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function sectionComment(resolved: ResolvedIface[], filter: string, follow: boolean): string {
  return [`vethscope ${vethscopeVersion()} on ${hostname()}`, `targets: ${resolved.map((r) => r.label).join(', ')}`, `filter: ${filter || '(none)'}`, follow ? 'follow: re-attaches after a container restart' : '']
    .filter(Boolean)
    .join('\n');
}

const dirnameOf = (file: string) => file.slice(0, file.lastIndexOf('/')) || '/';

/** Each host interface still has its ifindex, each namespace path still leads to its inode. */
async function stillThere(resolved: ResolvedIface[], topo: Topology): Promise<boolean> {
  const host = topo.namespaces.find((n) => n.inode === topo.hostNetns);
  for (const r of resolved) {
    if (r.netns) {
      const st = await stat(r.netns.path).catch(() => null);
      if (st?.ino !== r.netns.inode) return false;
      continue;
    }
    const want = host?.interfaces.find((i) => i.name === r.iface)?.ifindex;
    const have = await readFile(`/sys/class/net/${r.iface}/ifindex`, 'utf8').then(Number, () => null);
    if (want === undefined || have !== want) return false;
  }
  return true;
}
