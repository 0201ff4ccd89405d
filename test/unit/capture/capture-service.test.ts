// CaptureService against a fake helper and a literal topology: the decisions the
// service makes itself (follow, target-gone, helper death, saved files).
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../../shared/capture';
import type { Container, NetInterface, Topology } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';
import { Backend } from '../../../electron/backend/backend';
import { CaptureService } from '../../../electron/backend/capture/capture-service';
import type { TopologyService } from '../../../electron/backend/topology/topology-service';

const HOST = 1;
const iface = (name: string, hostPeer: string | null): NetInterface => ({ name, ifindex: 2, kind: 'veth', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer, peer: null, parent: null });
function topoWith(veth: string | null, state = 'running'): Topology {
  const c: Container = { id: 'c0ffee00', name: 'web', image: 'img', state, pid: state === 'running' ? 10 : null, netns: state === 'running' ? 5 : null, hostNetwork: false, networkMode: 'bridge', networks: [], compose: null, interfaces: veth ? [iface('eth0', veth)] : [] };
  return {
    generatedAt: new Date().toISOString(), hostNetns: HOST, containers: [c],
    namespaces: [{ inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: veth ? [iface(veth, null)] : [] }, ...(veth ? [{ inode: 5, names: ['web'], isHost: false, pids: [10], paths: [], interfaces: c.interfaces }] : [])],
    docker: { available: true }, privileged: { available: true, mode: 'root' }, warnings: [], elapsedMs: 1,
  };
}

class FakeHelper {
  readonly events = new EventEmitter();
  readonly exits = new EventEmitter();
  calls: Array<{ op: string; params: any }> = [];
  badFilter = false;
  async request(op: string, params: any): Promise<unknown> {
    this.calls.push({ op, params });
    if (op === 'validateFilter' && this.badFilter) throw new CodedError('BAD_FILTER', 'syntax error');
    if (op === 'startCapture') return { captureId: params.captureId, files: [params.path], linkTypes: [1] };
    if (op === 'attachInterface') return { index: 1, linkType: 1 };
    if (op === 'stopCapture') {
      setTimeout(() => this.emit('captureEnded', { captureId: params.captureId, reason: 'user', error: null, packets: 3, bytes: 300, dropped: 0, files: [] }), 5);
      return {};
    }
    return {};
  }
  on(event: string, fn: (d: any) => void) {
    this.events.on(event, fn);
    return () => this.events.off(event, fn);
  }
  onExitEvent(fn: () => void) {
    this.exits.on('exit', fn);
  }
  emit(event: string, data: unknown) {
    this.events.emit(event, data);
  }
  status() {
    return { available: true, mode: 'root' as const };
  }
}

describe('CaptureService', () => {
  let dir: string;
  let topo: Topology;
  let helper: FakeHelper;
  let backend: Backend;
  let events: CaptureInfo[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vsc-unit-'));
    topo = topoWith('vethA');
    helper = new FakeHelper();
    backend = new Backend();
    const topology = { discover: async () => topo, latest: () => null, docker: { ping: async () => 'OK' } } as unknown as TopologyService;
    new CaptureService({ topology, helper: helper as never, summarize: () => ({ src: 'a', dst: 'b', protocol: 'ICMP', info: '' }), capturesDir: dir, env: { PATH: '' } }).register(backend);
    events = [];
    backend.on('capture', (i) => events.push(i));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const start = async (extra: object = {}) => {
    const r = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], ...extra });
    if (!r.ok) throw new Error(r.error.message);
    return r.result;
  };

  it('validates the filter first: BAD_FILTER and no startCapture', async () => {
    helper.badFilter = true;
    const r = await backend.call('startCapture', { targets: [{ type: 'container', container: 'web' }], filter: 'port port' });
    expect(!r.ok && r.error).toMatchObject({ code: 'BAD_FILTER' });
    expect(helper.calls.map((c) => c.op)).toEqual(['validateFilter']);
  });

  it('starts with labels and a section comment, stops once, writes the sidecar', async () => {
    const info = await start({ filter: 'icmp' });
    const sc = helper.calls.find((c) => c.op === 'startCapture')!.params;
    expect(sc.ifaces).toEqual([{ netns: null, iface: 'vethA', label: 'web/eth0 (vethA)', comment: expect.stringContaining('c0ffee00') }]);
    expect(sc.sectionComment).toMatch(/targets: web\/eth0 \(vethA\)\nfilter: icmp/);
    expect(info.files[0]).toMatch(new RegExp(`^${dir}/web_.*\\.pcapng$`));
    writeFileSync(info.files[0]!, 'x');
    const stopped = await backend.call('stopCapture', { id: info.id });
    expect(stopped.ok && stopped.result).toMatchObject({ state: 'stopped', reason: 'user', packets: 3 });
    const again = await backend.call('stopCapture', { id: info.id });
    expect(!again.ok && again.error.code).toBe('ALREADY_STOPPED');
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(readFileSync(`${info.files[0]}.json`, 'utf8'))).toMatchObject({ packets: 3, targets: [{ container: 'web' }] });
    expect(events.at(-1)!.state).toBe('stopped');
  });

  it('stops the capture itself with target-gone when every interface is gone and the helper stays quiet', async () => {
    const info = await start();
    helper.emit('captureIfaceEnded', { captureId: info.id, iface: 0, reason: 'gone', message: 'No such device' });
    await new Promise((r) => setTimeout(r, 1700));
    expect(helper.calls.some((c) => c.op === 'stopCapture')).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    const list = await backend.call('listCaptures', {});
    expect(list.ok && list.result[0]).toMatchObject({ id: info.id, state: 'stopped', reason: 'target-gone' });
  });

  it('follows a restart: waits for the new veth, attaches it under the same label, records the gap', async () => {
    const info = await start({ follow: true });
    topo = topoWith(null, 'exited');
    helper.emit('captureIfaceEnded', { captureId: info.id, iface: 0, reason: 'gone', message: 'gone' });
    await new Promise((r) => setTimeout(r, 600));
    expect(helper.calls.some((c) => c.op === 'attachInterface')).toBe(false);
    topo = topoWith('vethB');
    await new Promise((r) => setTimeout(r, 600));
    const attach = helper.calls.find((c) => c.op === 'attachInterface')!.params;
    expect(attach.iface).toMatchObject({ netns: null, iface: 'vethB', label: 'web/eth0 (vethA)' });
    const list = await backend.call('listCaptures', {});
    const now = list.ok ? list.result[0]! : null;
    expect(now?.interfaces.map((i) => [i.label, i.at.name])).toEqual([['web/eth0 (vethA)', 'vethA'], ['web/eth0 (vethA)', 'vethB']]);
    expect(now?.gaps).toHaveLength(1);
    expect(now?.gaps[0]!.to).not.toBeNull();
    await backend.call('stopCapture', { id: info.id });
  });

  it('turns a helper death into helper-died for running captures', async () => {
    const info = await start();
    helper.exits.emit('exit');
    const list = await backend.call('listCaptures', {});
    expect(list.ok && list.result[0]).toMatchObject({ id: info.id, state: 'failed', reason: 'helper-died', error: { code: 'HELPER_DIED' } });
  });

  it('numbers live packets from samples; unknown ids are NOT_FOUND', async () => {
    const info = await start();
    helper.emit('captureSamples', { captureId: info.id, samples: [{ iface: 0, tsSec: 1, tsUsec: 0, origLen: 98, linkType: 1, data: 'AAAA' }] });
    const p = await backend.call('getPackets', { id: info.id });
    expect(p.ok && p.result).toEqual([{ no: 1, time: 1, iface: 'web/eth0 (vethA)', length: 98, src: 'a', dst: 'b', protocol: 'ICMP', info: '' }]);
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
    expect(!twice.ok && twice.error.code).toBe('PERMISSION_DENIED');
    const opened = await backend.call('openCapture', { id: old!.id, with: 'wireshark' });
    expect(opened).toEqual({ ok: true, result: { launched: false } }); // PATH is empty here
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
