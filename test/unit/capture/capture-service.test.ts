// CaptureService against a fake helper and a literal topology: the decisions the
// service makes itself (follow, target-gone, helper death, saved files).
import { EventEmitter } from 'node:events';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaptureInfo } from '../../../shared/capture';
import type { Container, NetInterface, Topology } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';
import { Backend } from '../../../electron/backend/backend';
import { CaptureService } from '../../../electron/backend/capture/capture-service';
import type { TopologyService } from '../../../electron/backend/topology/topology-service';

const HOST = 1;
const iface = (name: string, hostPeer: string | null): NetInterface => ({ name, ifindex: 2, kind: 'veth', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer, peer: null, parent: null });
function topoWith(veth: string | null, state = 'running'): Topology {
  const c: Container = { id: 'c0ffee00', name: 'web', image: 'img', engine: 'docker', pod: null, infra: false, user: null, state, pid: state === 'running' ? 10 : null, netns: state === 'running' ? 5 : null, hostNetwork: false, networkMode: 'bridge', networks: [], compose: null, interfaces: veth ? [iface('eth0', veth)] : [] };
  return {
    generatedAt: new Date().toISOString(), hostNetns: HOST, containers: [c],
    namespaces: [{ inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: veth ? [iface(veth, null)] : [] }, ...(veth ? [{ inode: 5, names: ['web'], isHost: false, pids: [10], paths: [], interfaces: c.interfaces }] : [])],
    docker: { available: true }, privileged: { available: true, mode: 'root' }, engines: [], warnings: [], elapsedMs: 1,
  };
}

/**
 * A helper whose "tcpdumps" are this process writing pcap into the outputs it is handed
 * (FIFOs the writer opened, or the file itself for classic pcap): the service and its
 * writers run for real, only root's part is played.
 */
class FakeHelper {
  readonly events = new EventEmitter();
  readonly exits = new EventEmitter();
  /** Captures this port runs without the helper (a rootless or remote capture). */
  readonly withoutHelper = new Set<string>();
  calls: Array<{ op: string; params: any }> = [];
  private outputs = new Map<string, Array<{ fd: number; index: number; captured: number }>>();

  async request(op: string, params: any): Promise<any> {
    this.calls.push({ op, params });
    if (op === 'startCapture') {
      const ifaces = params.ifaces.map((s: { output: string }, index: number) => this.open(params.captureId, s.output, index));
      return { captureId: params.captureId, ifaces };
    }
    if (op === 'attachInterface') return this.open(params.captureId, params.iface.output, (this.outputs.get(params.captureId)?.length ?? 0));
    if (op === 'stopCapture') {
      const outs = this.outputs.get(params.captureId) ?? [];
      for (const o of outs) if (o.fd >= 0) closeSync(o.fd), (o.fd = -1);
      return { captureId: params.captureId, ifaces: outs.map((o) => ({ index: o.index, captured: o.captured, receivedByFilter: o.captured, droppedByKernel: 0, ended: 'stopped', message: null })) };
    }
    return {};
  }

  private open(captureId: string, output: string, index: number) {
    const fd = openSync(output, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(fd, pcapHeader());
    const list = this.outputs.get(captureId) ?? [];
    list.push({ fd, index, captured: 0 });
    this.outputs.set(captureId, list);
    return { index, linkType: 'EN10MB (Ethernet)', bufferKiB: 65536 };
  }

  /** `n` ICMP-sized records on interface `index`, as tcpdump would write them. */
  packets(captureId: string, index: number, n: number, tsSec = 1): void {
    const o = this.outputs.get(captureId)!.find((x) => x.index === index)!;
    for (let i = 0; i < n; i++) writeSync(o.fd, pcapRecord(tsSec, i, 98));
    o.captured += n;
  }

  /** The interface vanished: tcpdump's output ends and the helper says so. */
  gone(captureId: string, index: number): void {
    const o = this.outputs.get(captureId)!.find((x) => x.index === index)!;
    closeSync(o.fd);
    o.fd = -1;
    this.emit('captureIfaceEnded', { captureId, index, reason: 'gone', message: 'No such device', counters: { index, captured: o.captured, receivedByFilter: o.captured, droppedByKernel: 0, ended: 'gone', message: 'No such device' } });
  }

  died(): void {
    for (const [id, outs] of this.outputs) if (!this.withoutHelper.has(id)) for (const o of outs) if (o.fd >= 0) closeSync(o.fd), (o.fd = -1);
    this.exits.emit('exit');
  }

  on(event: string, fn: (d: any) => void) {
    this.events.on(event, fn);
    return () => this.events.off(event, fn);
  }
  onExitEvent(fn: () => void) {
    this.exits.on('exit', fn);
    return () => this.exits.off('exit', fn);
  }
  emit(event: string, data: unknown) {
    this.events.emit(event, data);
  }
  status() {
    return { available: true, mode: 'root' as const };
  }
  async start() {}
  runsWithoutHelper(captureId: string) {
    return this.withoutHelper.has(captureId);
  }
}

function pcapHeader(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(262144, 16);
  b.writeUInt32LE(1, 20);
  return b;
}

function pcapRecord(tsSec: number, tsUsec: number, len: number): Buffer {
  const b = Buffer.alloc(16 + len);
  b.writeUInt32LE(tsSec, 0);
  b.writeUInt32LE(tsUsec, 4);
  b.writeUInt32LE(len, 8);
  b.writeUInt32LE(len, 12);
  return b;
}

describe('CaptureService', () => {
  let dir: string;
  let topo: Topology;
  let helper: FakeHelper;
  let backend: Backend;
  let events: CaptureInfo[];
  let filtersChecked: string[];
  let pings: number;
  beforeEach(() => {
    pings = 0;
    dir = mkdtempSync(join(tmpdir(), 'vsc-unit-'));
    topo = topoWith('vethA');
    helper = new FakeHelper();
    backend = new Backend();
    const topology = { discover: async () => topo, latest: () => null, docker: { ping: async () => (pings++, 'OK') } } as unknown as TopologyService;
    const checkFilter = async (f: string) => {
      filtersChecked.push(f);
      if (f.includes('port port')) throw new CodedError('BAD_FILTER', 'syntax error');
    };
    filtersChecked = [];
    new CaptureService({ topology, helper: helper as never, summarize: () => ({ src: 'a', dst: 'b', protocol: 'ICMP', info: '' }), capturesDir: dir, env: { PATH: '', VETHSCOPE_PCAP_WRITER: 'merged' }, checkFilter }).register(backend);
    events = [];
    backend.on('capture', (i) => events.push(i));
  });
  afterEach(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (extra: object = {}) => {
    const r = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], ...extra });
    if (!r.ok) throw new Error(r.error.message);
    return r.result;
  };

  it('validates the filter first: BAD_FILTER and no startCapture', async () => {
    const r = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], filter: 'port port' });
    expect(!r.ok && r.error).toMatchObject({ code: 'BAD_FILTER' });
    expect(filtersChecked).toEqual(['port port']);
    expect(helper.calls).toEqual([]);
  });

  it('starts with labels and a section comment, stops once, writes the sidecar', async () => {
    const info = await start({ filter: 'icmp' });
    const sc = helper.calls.find((c) => c.op === 'startCapture')!.params;
    expect(sc.ifaces).toEqual([{ netns: null, iface: 'vethA', output: expect.stringMatching(/\.pcap$/) }]);
    expect(sc).toMatchObject({ filter: 'icmp', snaplen: 262144 });
    expect(info.interfaces.map((i) => i.label)).toEqual(['web/eth0 (vethA)']);
    expect(info.files[0]).toMatch(new RegExp(`^${dir}/web_.*\\.pcapng$`));
    helper.packets(info.id, 0, 3);
    await vi.waitFor(async () => expect((await backend.call('getPackets', { id: info.id })).ok && (await backend.call('getPackets', { id: info.id }) as any).result.length).toBe(3), { timeout: 3000 });
    const stopped = await backend.call('stopCapture', { id: info.id });
    expect(stopped.ok && stopped.result).toMatchObject({ state: 'stopped', reason: 'user', packets: 3 });
    const again = await backend.call('stopCapture', { id: info.id });
    expect(!again.ok && again.error.code).toBe('ALREADY_STOPPED');
    await vi.waitFor(() => expect(existsSync(`${info.files[0]}.json`)).toBe(true));
    const side = JSON.parse(readFileSync(`${info.files[0]}.json`, 'utf8'));
    expect(side).toMatchObject({ packets: 3, targets: [{ container: 'web' }] });
    expect(side.files).toEqual([info.files[0]!.split('/').pop()]); // names only, never paths
    expect(readFileSync(info.files[0]!).subarray(0, 4).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(events.at(-1)!.state).toBe('stopped');
  });

  it('ends the capture itself with target-gone when every interface is gone', async () => {
    const info = await start();
    helper.gone(info.id, 0);
    await vi.waitFor(() => expect(helper.calls.some((c) => c.op === 'stopCapture')).toBe(true), { timeout: 3000 });
    await vi.waitFor(async () => {
      const list = await backend.call('listCaptures', {});
      expect(list.ok && list.result[0]).toMatchObject({ id: info.id, state: 'stopped', reason: 'target-gone' });
    });
  });

  it('follows a restart: waits for the new veth, attaches it and labels it after the veth it captures, records the gap', async () => {
    const info = await start({ follow: true });
    topo = topoWith(null, 'exited');
    helper.gone(info.id, 0);
    await new Promise((r) => setTimeout(r, 600)); // the follower polls: nothing to attach while it is down
    expect(helper.calls.some((c) => c.op === 'attachInterface')).toBe(false);
    topo = topoWith('vethB');
    await vi.waitFor(() => expect(helper.calls.some((c) => c.op === 'attachInterface')).toBe(true), { timeout: 3000 });
    const attach = helper.calls.find((c) => c.op === 'attachInterface')!.params;
    expect(attach.iface).toMatchObject({ netns: null, iface: 'vethB', output: expect.stringMatching(/\.pcap$/) });
    await vi.waitFor(async () => {
      const list = await backend.call('listCaptures', {});
      const now = list.ok ? list.result[0]! : null;
      expect(now?.interfaces.map((i) => [i.label, i.at.name])).toEqual([['web/eth0 (vethA)', 'vethA'], ['web/eth0 (vethB)', 'vethB']]);
      expect(now?.gaps).toHaveLength(1);
      expect(now?.gaps[0]!.to).not.toBeNull();
    });
    const stopped = await backend.call('stopCapture', { id: info.id });
    expect(stopped.ok && stopped.result.reason).toBe('user');
  });

  it('turns a helper death into helper-died for running captures; the file is closed readable', async () => {
    const info = await start();
    helper.packets(info.id, 0, 2);
    await new Promise((r) => setTimeout(r, 100));
    helper.died(); // its tcpdumps die with it (parent-death signal): their outputs end
    await vi.waitFor(async () => {
      const list = await backend.call('listCaptures', {});
      expect(list.ok && list.result[0]).toMatchObject({ id: info.id, state: 'failed', reason: 'helper-died', error: { code: 'HELPER_DIED' } });
    });
    expect(readFileSync(info.files[0]!).readUInt32LE(0)).toBe(0x0a0d0d0a);
  });

  it('tells a status listener that the helper exited; with nobody listening (the CLI), Docker is not asked', async () => {
    helper.died();
    await new Promise((r) => setTimeout(r, 20));
    expect(pings).toBe(0);
    const statuses: unknown[] = [];
    backend.on('status', (st) => statuses.push(st));
    helper.died();
    await vi.waitFor(() => expect(statuses).toHaveLength(1));
    expect(pings).toBe(1);
  });

  it('a capture run without the helper (rootless, remote) goes on when the helper exits', async () => {
    const mine = await start();
    const helpers = await start();
    helper.withoutHelper.add(mine.id);
    helper.died(); // the helper's tcpdumps die with it; the capture run without it keeps writing
    helper.packets(mine.id, 0, 3);
    await vi.waitFor(async () => {
      const list = await backend.call('listCaptures', {});
      expect(list.ok && list.result.find((c) => c.id === helpers.id)?.reason).toBe('helper-died');
    });
    const list = await backend.call('listCaptures', {});
    expect(list.ok && list.result.find((c) => c.id === mine.id)?.state).toBe('running');
    expect((await backend.call('stopCapture', { id: mine.id })).ok).toBe(true);
  });

  it('numbers live packets from what the writer sampled; unknown ids are NOT_FOUND', async () => {
    const info = await start();
    helper.packets(info.id, 0, 1);
    await vi.waitFor(async () => {
      const p = await backend.call('getPackets', { id: info.id });
      expect(p.ok && p.result).toEqual([{ no: 1, time: 1, iface: 'web/eth0 (vethA)', length: 98, src: 'a', dst: 'b', protocol: 'ICMP', info: '' }]);
    });
    const nf = await backend.call('getPackets', { id: 'nope' });
    expect(!nf.ok && nf.error.code).toBe('NOT_FOUND');
    await backend.call('stopCapture', { id: info.id });
  });

  it('lists files already in the folder, copies and deletes them with their sidecar', async () => {
    const f = join(dir, 'old_2026-01-01T00-00-00.pcapng');
    writeFileSync(f, 'pcapng bytes');
    const list = await backend.call('listCaptures', {});
    const old = list.ok ? list.result.find((c) => c.files[0] === f) : undefined;
    expect(old).toMatchObject({ state: 'stopped', format: 'pcapng' });
    const copy = join(dir, 'copy.pcapng');
    expect(await backend.call('saveCaptureAs', { id: old!.id, path: copy })).toEqual({ ok: true, result: { path: copy } });
    const twice = await backend.call('saveCaptureAs', { id: old!.id, path: copy });
    expect(!twice.ok && twice.error.code).toBe('INVALID_INPUT');
    expect(!twice.ok && twice.error.message).toMatch(/already exists/);
    const opened = await backend.call('openCapture', { id: old!.id, with: 'wireshark' });
    expect(opened).toMatchObject({ ok: true, result: { launched: false, reason: expect.any(String) } }); // no display, and PATH is empty here
    const del = await backend.call('deleteCapture', { id: old!.id });
    expect(del.ok && del.result.deleted).toEqual([f]);
    expect(existsSync(f)).toBe(false);
    expect(existsSync(copy)).toBe(true);
  });

  it('refuses classic pcap for several interfaces and an existing output file', async () => {
    topo.containers[0]!.interfaces.push(iface('eth1', 'vethC'));
    topo.namespaces[0]!.interfaces.push(iface('vethC', null));
    const r = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], format: 'pcap' });
    expect(!r.ok && r.error.code).toBe('INVALID_INPUT');
    const f = join(dir, 'exists.pcapng');
    writeFileSync(f, '');
    const e = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], output: { path: f } });
    expect(!e.ok && e.error.code).toBe('PERMISSION_DENIED');
    const missing = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], output: { dir: join(dir, 'no/such') } });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    if (process.getuid?.() !== 0) {
      // Root may write anywhere; as a user, a folder without w is refused before any tcpdump.
      const ro = join(dir, 'ro');
      mkdirSync(ro, { mode: 0o500 });
      const r2 = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], output: { dir: ro } });
      expect(!r2.ok && r2.error.code).toBe('PERMISSION_DENIED');
    }
    expect(helper.calls.filter((c) => c.op === 'startCapture')).toEqual([]);
  });
});
