// Capture: resolve targets on the topology, have the privileged helper run
// tcpdump per interface into one file, and fold the helper's events into
// CaptureInfo for every front door. Errors are data with actionable codes.
import { randomUUID } from 'node:crypto';
import { copyFile, readFile, stat, unlink, constants as fsc } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { hostname } from 'node:os';
import type { z } from 'zod';
import { CaptureRequest, type CaptureInfo, type CaptureRequestParsed, type PacketSummary } from '../../../shared/capture';
import type { BackendStatus } from '../../../shared/api';
import type { Topology } from '../../../shared/topology';
import { HelperCaptureStarted, helperEvents } from '../../../shared/helper-protocol';
import { CodedError, toErrorInfo } from '../../../shared/result';
import type { Backend } from '../backend';
import type { TopologyService } from '../topology/topology-service';
import { Follower } from './follow';
import { helperCall, type HelperPort } from './helper-port';
import { launch, launchers } from './launchers';
import { chooseOutput } from './output';
import { fileCaptureId, listSaved, sidecarPath, writeSidecar } from './saved-captures';
import { CaptureSession, type Summarize } from './capture-record';
import { baseNameFor, resolveTargets, type ResolvedIface } from './targets';
import { vethscopeVersion } from '../../util/package-root';

const EMIT_INTERVAL_MS = 500;
/** How long the helper gets to end a capture on its own once every interface is gone. */
const GONE_GRACE_MS = 1500;
const STOP_TIMEOUT_MS = 15_000;
/**
 * Follow: how long a capture waits for its container to come back once every
 * interface is gone (then it ends as target-gone). The helper is told to wait
 * a little longer (keepAliveSec), so this side decides.
 */
const FOLLOW_MAX_MS = 5 * 60_000;
const FOLLOW_KEEPALIVE_SEC = FOLLOW_MAX_MS / 1000 + 30;
/** A topology younger than this may resolve targets if its interfaces still exist. */
const CACHE_MS = 10_000;

export interface CaptureServiceDeps {
  topology: TopologyService;
  helper: HelperPort;
  summarize: Summarize;
  capturesDir: string;
  env?: NodeJS.ProcessEnv;
}

interface Live {
  session: CaptureSession;
  req: CaptureRequestParsed;
  lastEmit: number;
  emitTimer: NodeJS.Timeout | null;
  followers: Map<number, Follower>;
  goneTimer: NodeJS.Timeout | null;
}

export class CaptureService {
  private readonly live = new Map<string, Live>();
  private backend: Backend | null = null;

  constructor(private readonly deps: CaptureServiceDeps) {}

  register(backend: Backend): void {
    this.backend = backend;
    const h = this.deps.helper;
    const on = <E extends keyof typeof helperEvents>(event: E, fn: (d: z.infer<(typeof helperEvents)[E]>) => void) =>
      h.on(event, (data) => {
        // The client validated already; parse again so a fake in tests cannot smuggle in junk.
        const parsed = helperEvents[event].safeParse(data);
        if (parsed.success) fn(parsed.data as z.infer<(typeof helperEvents)[E]>);
      });
    on('captureStats', (s) => this.with(s.captureId, (l) => (l.session.onStats(s), this.emit(l))));
    on('captureSamples', (s) =>
      this.with(s.captureId, (l) => {
        const fresh = l.session.onSamples(s, this.deps.summarize);
        if (fresh.length) backend.emit('packets', { id: l.session.info.id, packets: fresh });
      }),
    );
    on('captureIfaceEnded', (e) => this.with(e.captureId, (l) => this.ifaceEnded(l, e.iface, e.reason)));
    on('captureEnded', (e) => this.with(e.captureId, (l) => this.ended(l, () => l.session.onEnded(e))));
    // The helper process went away: every running capture is over.
    h.onExitEvent?.(() => {
      this.helperDied(undefined);
      // The UI shows whether privileged capture is available: tell it the helper is gone.
      void this.status().then((st) => backend.emit('status', st), () => undefined);
    });

    backend.handle('validateFilter', async ({ filter }) => {
      await this.validateFilter(filter);
      return { valid: true as const };
    });
    backend.handle('startCapture', (req) => this.start(req));
    backend.handle('stopCapture', ({ id }) => this.stop(id));
    backend.handle('listCaptures', () => this.list());
    backend.handle('getPackets', ({ id }) => this.packets(id));
    backend.handle('deleteCapture', ({ id }) => this.remove(id));
    backend.handle('saveCaptureAs', ({ id, path }) => this.saveAs(id, path));
    backend.handle('openCapture', async ({ id, with: w }) => {
      const info = await this.find(id);
      const file = info.files[0];
      if (!file) throw new CodedError('NOT_FOUND', `capture ${id} has no file`);
      return { launched: await launch(w === 'wireshark' ? 'wireshark' : 'xdg-open', w === 'wireshark' ? file : dirname(file), this.env) };
    });
    backend.handle('getStatus', () => this.status());
    backend.handle('retryHelper', async () => {
      // HelperClient.start() launches it again (a new prompt) after a refusal or a crash.
      const retry = (this.deps.helper as { start?: () => Promise<unknown> }).start;
      if (retry) await retry.call(this.deps.helper).catch(() => undefined);
      else await helperCall(this.deps.helper, 'hello', {}).catch(() => undefined);
      const s = await this.status();
      backend.emit('status', s);
      return s;
    });
    backend.onClose(() => this.stopAll());
  }

  private get env(): NodeJS.ProcessEnv {
    return this.deps.env ?? process.env;
  }

  /** A capture's file, for browser mode's download route. */
  async fileOf(id: string): Promise<string | null> {
    return (await this.find(id).catch(() => null))?.files[0] ?? null;
  }

  private with(id: string, fn: (l: Live) => void): void {
    const l = this.live.get(id);
    if (l) fn(l);
  }

  private emit(l: Live, force = false): void {
    if (!this.backend) return;
    const now = Date.now();
    const send = () => {
      l.emitTimer = null;
      l.lastEmit = Date.now();
      this.backend?.emit('capture', structuredClone(l.session.info));
    };
    if (force || now - l.lastEmit >= EMIT_INTERVAL_MS) {
      if (l.emitTimer) clearTimeout(l.emitTimer);
      send();
    } else if (!l.emitTimer) l.emitTimer = setTimeout(send, EMIT_INTERVAL_MS - (now - l.lastEmit));
  }

  async validateFilter(filter: string): Promise<void> {
    if (!filter.trim()) return;
    try {
      await helperCall(this.deps.helper, 'validateFilter', { filter });
    } catch (err) {
      const e = toErrorInfo(err);
      if (e.code === 'BAD_FILTER') throw new CodedError('BAD_FILTER', `bad filter "${filter}": ${e.message}`);
      throw err;
    }
  }

  async start(input: CaptureRequestParsed): Promise<CaptureInfo> {
    const req = CaptureRequest.parse(input);
    const filter = req.filter?.trim() ?? '';
    // Everything that can be refused is refused before any tcpdump runs.
    await this.validateFilter(filter);
    const resolved = await this.resolveFresh(req.targets, filter);
    if (req.format === 'pcap' && (resolved.length > 1 || req.follow))
      throw new CodedError('INVALID_INPUT', `classic pcap holds exactly one interface (this capture has ${resolved.length}${req.follow ? ' and --follow may add more' : ''}): use pcapng`);
    const out = await chooseOutput(req.output, baseNameFor(resolved), req.format, this.deps.capturesDir);
    const id = randomUUID();
    const session = new CaptureSession(id, req, resolved, out.path);
    const l: Live = { session, req, lastEmit: 0, emitTimer: null, followers: new Map(), goneTimer: null };
    this.live.set(id, l);
    const sectionComment = [
      `vethscope ${vethscopeVersion()} on ${hostname()}`,
      `targets: ${resolved.map((r) => r.label).join(', ')}`,
      `filter: ${filter || '(none)'}`,
      req.follow ? 'follow: re-attaches after a container restart' : '',
    ]
      .filter(Boolean)
      .join('\n');
    try {
      const started = HelperCaptureStarted.parse(
        await helperCall(this.deps.helper, 'startCapture', {
          captureId: id,
          ifaces: resolved.map(spec),
          filter,
          snaplen: req.snaplen ?? 262144,
          format: req.format,
          path: out.path,
          sectionComment,
          stop: req.stop ?? {},
          ring: req.ring ?? null,
          // Restarts slower than the helper's 1.5 s grace: we watch the container and end the capture ourselves.
          ...(req.follow ? { keepAliveSec: FOLLOW_KEEPALIVE_SEC } : {}),
          // Classic pcap of one interface (already refused with more or with follow):
          // tcpdump writes the file itself, nothing passes through node.
          ...(req.format === 'pcap' && resolved.length === 1 && !req.ring && this.env.VETHSCOPE_PCAP_WRITER !== 'helper' ? { writer: 'tcpdump' as const } : {}),
        }),
      );
      session.running(started.files);
    } catch (err) {
      this.live.delete(id);
      throw err;
    }
    this.emit(l, true);
    return structuredClone(session.info);
  }

  /**
   * Resolve against the topology the user is looking at when it is recent and
   * still true (a full discovery costs 100s of ms with many containers: the
   * time to first packet matters); otherwise discover afresh.
   */
  private async resolveFresh(targets: CaptureRequestParsed['targets'], filter: string): Promise<ResolvedIface[]> {
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

  private ifaceEnded(l: Live, index: number, reason: 'gone' | 'error'): void {
    const s = l.session;
    const allGone = s.onIfaceEnded(index, reason);
    const r = s.ifaces[index];
    if (l.req.follow && r?.containerId && reason === 'gone') {
      s.openGap(r.label);
      this.follow(l, index);
      // The helper waits (keepAliveSec) for us: give up after FOLLOW_MAX_MS.
      if (allGone && !l.goneTimer) l.goneTimer = setTimeout(() => this.endGone(l), FOLLOW_MAX_MS);
    } else if (allGone && !l.goneTimer) {
      // Normally the helper ends the capture itself; make sure it does.
      s.forcedReason = 'target-gone';
      l.goneTimer = setTimeout(() => {
        if (!s.done) void helperCall(this.deps.helper, 'stopCapture', { captureId: s.info.id }).catch(() => undefined);
      }, GONE_GRACE_MS);
    }
    this.emit(l, true);
  }

  /** The followed container did not come back (or was removed): end as target-gone. */
  private endGone(l: Live): void {
    const s = l.session;
    if (l.goneTimer) clearTimeout(l.goneTimer);
    l.goneTimer = null;
    if (s.done) return;
    s.forcedReason = 'target-gone';
    for (const f of l.followers.values()) f.stop();
    l.followers.clear();
    void helperCall(this.deps.helper, 'stopCapture', { captureId: s.info.id }).catch(() => undefined);
  }

  private follow(l: Live, index: number): void {
    const s = l.session;
    const r = s.ifaces[index]!;
    if (l.followers.has(r.target)) {
      return; // already watching this container: its other interfaces come back together
    }
    const gone = () => s.ifaces.map((x, i) => ({ x, i })).filter(({ x, i }) => x.target === r.target && s.ended.has(i) && !s.ifaces.some((y, j) => j > i && y.label === x.label));
    // Re-attach every interface of that container that went down, not only the first reported.
    const innerNames = [...new Set(s.ifaces.filter((x) => x.target === r.target).map((x) => x.innerName!))];
    const f = new Follower(
      { containerId: r.containerId!, containerName: r.containerName!, innerNames, filter: s.info.filter, target: r.target, stale: new Set(s.ifaces.map((x) => `${x.atNetns}/${x.iface}`)) },
      () => this.deps.topology.discover(),
      async (fresh) => {
        l.followers.delete(r.target);
        if (s.done) return;
        for (const { x } of gone()) {
          const n = fresh.find((f2) => f2.innerName === x.innerName);
          if (!n) continue;
          // Same label as before the restart, so Wireshark shows one name for the container's eth0.
          const again: ResolvedIface = { ...n, label: x.label };
          try {
            await helperCall(this.deps.helper, 'attachInterface', { captureId: s.info.id, iface: spec(again) });
            s.attached(again);
            s.closeGap(x.label);
            if (l.goneTimer) clearTimeout(l.goneTimer);
            l.goneTimer = null;
          } catch (err) {
            s.fail(toErrorInfo(err).code, `re-attaching ${x.label} after the restart failed: ${toErrorInfo(err).message}`);
          }
        }
        this.emit(l, true);
      },
      250,
      () => {
        l.followers.delete(r.target);
        if (!s.done && s.ifaces.every((_, i) => s.ended.has(i))) this.endGone(l);
      },
    );
    l.followers.set(r.target, f);
    f.start();
  }

  private ended(l: Live, apply: () => void): void {
    apply();
    this.cleanup(l);
    void writeSidecar(l.session.info);
    this.emit(l, true);
  }

  private cleanup(l: Live): void {
    for (const f of l.followers.values()) f.stop();
    l.followers.clear();
    if (l.goneTimer) clearTimeout(l.goneTimer);
    l.goneTimer = null;
  }

  private helperDied(d: unknown): void {
    const why = (d as { message?: string })?.message ?? 'the privileged helper exited';
    for (const l of this.live.values()) if (!l.session.done) this.ended(l, () => l.session.onHelperDied(`${why}; the next capture starts a new helper`));
  }

  async stop(id: string): Promise<CaptureInfo> {
    const l = this.live.get(id);
    if (!l) {
      await this.find(id); // NOT_FOUND, or a saved file: which is stopped already
      throw new CodedError('ALREADY_STOPPED', `capture ${id} has already ended`);
    }
    const s = l.session;
    if (s.done) throw new CodedError('ALREADY_STOPPED', `capture ${id} has already ended (${s.info.reason ?? s.info.state})`);
    if (s.info.state !== 'stopping') {
      s.info.state = 'stopping';
      this.emit(l, true);
      for (const f of l.followers.values()) f.stop();
      try {
        await helperCall(this.deps.helper, 'stopCapture', { captureId: id });
      } catch (err) {
        const e = toErrorInfo(err);
        // NOT_FOUND: the helper ended it on its own a moment ago; its captureEnded is on the way.
        if (e.code === 'HELPER_DIED' || e.code === 'HELPER_UNAVAILABLE') this.ended(l, () => s.onHelperDied(e.message));
        else if (e.code !== 'NOT_FOUND') throw err;
      }
    }
    if (!(await s.waitEnd(STOP_TIMEOUT_MS))) this.ended(l, () => s.fail('INTERNAL', 'the helper did not confirm the end of the capture in time; the file may be incomplete'));
    return structuredClone(s.info);
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.live.values()].filter((l) => !l.session.done).map((l) => this.stop(l.session.info.id).catch(() => undefined)));
  }

  async list(): Promise<CaptureInfo[]> {
    const mine = [...this.live.values()].map((l) => structuredClone(l.session.info));
    const known = new Set(mine.flatMap((i) => i.files));
    return [...mine.reverse(), ...(await listSaved(this.deps.capturesDir, known))];
  }

  private async find(id: string): Promise<CaptureInfo> {
    const l = this.live.get(id);
    if (l) return l.session.info;
    if (id.startsWith('file:')) {
      const found = (await listSaved(this.deps.capturesDir, new Set())).find((i) => i.id === id || i.files.some((f) => fileCaptureId(f) === id));
      if (found) return found;
    }
    throw new CodedError('NOT_FOUND', `no capture with id ${id}`);
  }

  private async packets(id: string): Promise<PacketSummary[]> {
    const l = this.live.get(id);
    if (l) return l.session.recentPackets();
    await this.find(id);
    return []; // saved files: open them in Wireshark for their packets
  }

  private async remove(id: string): Promise<{ deleted: string[] }> {
    const info = await this.find(id);
    if (info.state === 'starting' || info.state === 'running' || info.state === 'stopping')
      throw new CodedError('INVALID_INPUT', `capture ${id} is still running: stop it first`);
    const deleted: string[] = [];
    for (const f of [...info.files, ...(info.files[0] ? [sidecarPath(info.files[0])] : [])]) {
      try {
        await unlink(f);
        deleted.push(f);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') throw new CodedError('PERMISSION_DENIED', `cannot delete ${f}: ${code}`);
      }
    }
    this.live.delete(id);
    return { deleted };
  }

  private async saveAs(id: string, path: string): Promise<{ path: string }> {
    const info = await this.find(id);
    if (!['stopped', 'failed'].includes(info.state)) throw new CodedError('INVALID_INPUT', `capture ${id} is still running: stop it first`);
    const ext = extname(path);
    const stem = ext ? path.slice(0, -ext.length) : path;
    const targets = info.files.map((_, i) => (info.files.length === 1 ? path : `${stem}_${i + 1}${ext || `.${info.format}`}`));
    for (let i = 0; i < info.files.length; i++) {
      try {
        await copyFile(info.files[i]!, targets[i]!, fsc.COPYFILE_EXCL);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new CodedError('PERMISSION_DENIED', `${targets[i]} already exists: choose another name`);
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new CodedError('PERMISSION_DENIED', `cannot write ${targets[i]}: ${code}`);
        if (code === 'ENOSPC') throw new CodedError('DISK_FULL', `no space left for ${targets[i]}`);
        if (code === 'ENOENT') throw new CodedError('NOT_FOUND', `${info.files[i]} or the folder of ${targets[i]} does not exist`);
        throw err;
      }
    }
    return { path: targets[0]! };
  }

  async status(): Promise<BackendStatus> {
    const docker = await Promise.race([
      this.deps.topology.docker.ping().then(
        () => ({ available: true }),
        (err: Error) => ({ available: false, error: { code: 'DOCKER_UNAVAILABLE', message: err.message } }),
      ),
      new Promise<BackendStatus['docker']>((r) => setTimeout(() => r({ available: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'Docker did not answer within 2 s' } }), 2000).unref()),
    ]);
    const h = await this.deps.helper.status();
    return {
      version: vethscopeVersion(),
      docker,
      privileged: { available: h.available, mode: h.mode, ...(h.error ? { error: h.error } : {}) },
      capturesDir: this.deps.capturesDir,
      launchers: launchers(this.env),
    };
  }
}

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

function spec(r: ResolvedIface) {
  return { netns: r.netns, iface: r.iface, label: r.label, comment: r.comment };
}
