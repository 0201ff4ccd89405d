// The writers for real, through the Backend: tcpdumps (started by the real helper) on our
// own veth pair in two `ip netns` namespaces write into FIFOs or the file, the backend
// merges and writes; tshark is the judge. No Docker needed: netns:NAME:IFACE targets.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaptureInfo, CaptureRequest } from '../../../shared/capture';
import { isRoot, SKIP_REASON } from '../../support/env';
import { makePair, ping, removePair, sh, shTry, sleep, type Pair } from '../helper/helper-fixture';
import { makeHarness, tcpdumpsOn, tsharkFrames, waitEnded, type Harness } from './harness';

let h: Harness;
let pair: Pair;
const target = (i: 0 | 1) => ({ type: 'netns' as const, netns: pair.ns[i], iface: pair.ifs[i] });
const label = (i: 0 | 1) => `${pair.ns[i]}/${pair.ifs[i]}`;

async function start(req: Partial<CaptureRequest> & { targets: CaptureRequest['targets'] }): Promise<CaptureInfo> {
  const r = await h.services.backend.call('startCapture', { output: { dir: h.dir }, ...req });
  if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
  return r.result;
}

async function stop(id: string): Promise<CaptureInfo> {
  const r = await h.services.backend.call('stopCapture', { id });
  if (!r.ok) throw new Error(r.error.message);
  return r.result;
}

/** Interface Statistics Blocks: interface id and isb_ifrecv (option 4), read straight from the file. */
function statisticsBlocks(file: string): Array<{ interfaceId: number; received: number | null }> {
  const buf = readFileSync(file);
  const out: Array<{ interfaceId: number; received: number | null }> = [];
  for (let off = 0; off + 12 <= buf.length; ) {
    const type = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    if (len < 12) break;
    if (type === 5) {
      let received: number | null = null;
      for (let o = off + 20; o + 4 <= off + len - 4; ) {
        const code = buf.readUInt16LE(o);
        const olen = buf.readUInt16LE(o + 2);
        if (code === 0) break;
        if (code === 4) received = Number(buf.readBigUInt64LE(o + 4));
        o += 4 + Math.ceil(olen / 4) * 4;
      }
      out.push({ interfaceId: buf.readUInt32LE(off + 8), received });
    }
    off += len;
  }
  return out;
}

function tinyTmpfs(name: string): string {
  const mnt = join(h.dir, name);
  mkdirSync(mnt, { recursive: true });
  sh('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'vsw-tmpfs', mnt]);
  return mnt;
}

describe.skipIf(!isRoot)(`capture writers through the backend (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    pair = makePair('w', 73);
    h = makeHarness('vsw');
  });
  afterAll(async () => {
    await h?.close();
    removePair('w');
  });

  it('merges two interfaces into one pcapng: our labels, time order, counts matching, one statistics block each', async () => {
    const info = await start({ targets: [target(0), target(1)], filter: 'icmp' });
    expect(info.interfaces.map((i) => i.label)).toEqual([label(0), label(1)]);
    ping(pair, 5);
    await sleep(300);
    const fin = await stop(info.id);
    expect(fin).toMatchObject({ state: 'stopped', reason: 'user', packets: 20 }); // 5 requests + 5 replies, seen on each end
    const file = fin.files[0]!;
    const frames = tsharkFrames(file);
    expect(frames.length).toBe(20);
    expect([...new Set(frames.map((f) => f.iface))].sort()).toEqual([label(0), label(1)].sort());
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.time).toBeGreaterThanOrEqual(frames[i - 1]!.time);
    expect(sh('capinfos', ['-k', file])).toContain(`targets: ${label(0)}, ${label(1)}`);
    const isbs = statisticsBlocks(file);
    expect(isbs.map((b) => b.interfaceId)).toEqual([0, 1]);
    for (const b of isbs) expect(b.received).toBeGreaterThanOrEqual(10);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a stop right after the traffic keeps every packet, one interface or two (dumpcap has no immediate mode)', async () => {
    for (const targets of [[target(0)], [target(0), target(1)]]) {
      const info = await start({ targets, filter: 'icmp' });
      ping(pair, 5, 0.02);
      const fin = await stop(info.id); // no pause: the packets are still in the kernel's ring block
      expect(fin.packets, `${targets.length} interface(s)`).toBe(10 * targets.length);
      expect(tsharkFrames(fin.files[0]!).length).toBe(10 * targets.length);
    }
  });

  it('classic pcap of one interface is written by tcpdump itself; -c stops it; pcap of two is refused', async () => {
    const info = await start({ targets: [target(1)], format: 'pcap', stop: { packetCount: 4 } });
    ping(pair, 5);
    const end = await waitEnded(h, info.id);
    expect(end).toMatchObject({ reason: 'count', packets: 4 });
    expect(readFileSync(end.files[0]!).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(tsharkFrames(end.files[0]!).length).toBe(4);
    const two = await h.services.backend.call('startCapture', { targets: [target(0), target(1)], format: 'pcap', output: { dir: h.dir } });
    expect(two).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('stops on duration and keeps a ring of N files, the oldest deleted', async () => {
    const info = await start({ targets: [target(0)], stop: { durationSec: 2 }, ring: { files: 2, fileBytes: 4096 }, output: { path: join(h.dir, 'ring.pcapng') } });
    ping(pair, 8, 0.1, 1000);
    const end = await waitEnded(h, info.id);
    expect(end.reason).toBe('duration');
    expect(end.files.length).toBe(2);
    for (const f of end.files) {
      expect(f).toMatch(/ring_\d{5}\.pcapng$/);
      expect(() => tsharkFrames(f)).not.toThrow();
    }
    expect(existsSync(join(h.dir, 'ring_00001.pcapng'))).toBe(false);
  });

  it('ends as target-gone when the interface vanishes, the file valid and complete', async () => {
    const p2 = makePair('x', 75);
    try {
      const info = await start({ targets: [{ type: 'netns', netns: p2.ns[0], iface: p2.ifs[0] }] });
      ping(p2, 3);
      await sleep(300);
      sh('ip', ['-n', p2.ns[0], 'link', 'del', p2.ifs[0]]);
      const end = await waitEnded(h, info.id);
      expect(end.reason).toBe('target-gone');
      const frames = tsharkFrames(end.files[0]!);
      expect(frames.length).toBe(end.packets);
      expect(end.packets).toBeGreaterThanOrEqual(6);
    } finally {
      removePair('x');
    }
  });

  for (const format of ['pcapng', 'pcap'] as const)
    it(`disk-full on a full tmpfs (${format}): the capture says so, the file is cut back to whole records`, async () => {
      const mnt = tinyTmpfs(`tiny-${format}`);
      try {
        const info = await start({ targets: [target(0)], format, stop: { durationSec: 20 }, output: { dir: mnt } });
        // ~600 KB of ICMP in 1400-byte pings (bounded, between our namespaces only).
        ping(pair, 250, 0.005, 1400);
        const end = await waitEnded(h, info.id, 25_000);
        expect(end.reason).toBe('disk-full');
        expect(end.error?.code).toBe('DISK_FULL');
        const r = shTry('tshark', ['-r', end.files[0]!]);
        expect(r.status).toBe(0);
        expect(r.stderr).not.toMatch(/cut short/);
        expect(tsharkFrames(end.files[0]!).length).toBe(end.packets);
        expect(end.packets).toBeGreaterThan(50);
      } finally {
        shTry('umount', [mnt]);
      }
    }, 60_000);

  it('classic pcap: a size limit cuts after the packet that crossed it; stop by the user counts every packet', async () => {
    const sized = await start({ targets: [target(1)], format: 'pcap', stop: { maxBytes: 20_000, durationSec: 20 } });
    ping(pair, 40, 0.02, 1000);
    const end = await waitEnded(h, sized.id);
    expect(end.reason).toBe('size');
    const size = readFileSync(end.files[0]!).length;
    expect(size).toBeGreaterThanOrEqual(20_000);
    expect(size).toBeLessThan(20_000 + 1100);
    expect(tsharkFrames(end.files[0]!).length).toBe(end.packets);

    const byUser = await start({ targets: [target(1)], format: 'pcap', filter: 'icmp' });
    ping(pair, 5);
    await sleep(700);
    const fin = await stop(byUser.id);
    expect(fin).toMatchObject({ reason: 'user', packets: 10 });
    expect(tsharkFrames(fin.files[0]!).length).toBe(10);
    expect(tcpdumpsOn(pair.ifs[1])).toEqual([]);
  });

  it('the live view gets decoded packets and the counters follow, from both writers', async () => {
    for (const format of ['pcapng', 'pcap'] as const) {
      const info = await start({ targets: [target(0)], format, filter: 'icmp' });
      ping(pair, 4);
      // The live view follows the file (dumpcap and tcpdump hand packets over within a fraction of a second).
      await vi.waitFor(async () => {
        const pk = await h.services.backend.call('getPackets', { id: info.id });
        expect(pk.ok && pk.result.length).toBe(8);
        expect(pk.ok && pk.result[0]).toMatchObject({ protocol: 'ICMP', iface: label(0) });
        const listed = await h.services.backend.call('listCaptures', {});
        expect(listed.ok && listed.result.find((c) => c.id === info.id)?.packets).toBe(8);
      }, { timeout: 5000, interval: 100 });
      await stop(info.id);
    }
  });
});
