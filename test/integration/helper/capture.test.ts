// Real captures through the helper: tcpdump on our own veth pair in two
// `ip netns` namespaces, tshark reading the files.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelperClient } from '../../../electron/backend/helper-client/helper-client';
import { buildHelper, shTry, children, makePair, ping, removePair, sh, sleep, tshark, type Pair } from './helper-fixture';

const root = process.getuid?.() === 0;
let pair: Pair;
let client: HelperClient;
let dir: string;
let n = 0;
const cid = () => `vsh-cap-${process.pid}-${++n}`;

const ifaceSpec = (i: 0 | 1) => ({ netns: pair.handles[i], iface: pair.ifs[i], label: `vsh-side-${i}/${pair.ifs[i]}`, comment: `side ${i}` });

describe.skipIf(!root)('helper captures', () => {
  beforeAll(async () => {
    buildHelper();
    pair = makePair('c', 71);
    dir = mkdtempSync(join(tmpdir(), 'vsh-cap-'));
    client = new HelperClient({ elevation: 'root' });
    await client.start();
  });
  afterAll(async () => {
    await client?.close();
    removePair('c');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merges two interfaces into one pcapng with our labels, in time order, counts matching', async () => {
    const path = join(dir, 'two.pcapng');
    const ended = new Promise<any>((r) => client.on('captureEnded', (d) => r(d)));
    const stats: any[] = [];
    client.on('captureStats', (d) => stats.push(d));
    const id = cid();
    const started = (await client.request('startCapture', { captureId: id, ifaces: [ifaceSpec(0), ifaceSpec(1)], filter: 'icmp', snaplen: 262144, format: 'pcapng', path, sectionComment: 'vsh test', stop: {}, ring: null })) as any;
    expect(started.linkTypes).toEqual([1, 1]);
    expect(started.files).toEqual([path]);
    ping(pair, 5);
    await sleep(1300); // tcpdump's TPACKET_V3 blocks retire after up to 1 s
    const fin = (await client.request('stopCapture', { captureId: id })) as any;
    expect((await ended).captureId).toBe(id);
    expect(fin.reason).toBe('user');
    expect(fin.packets).toBe(20); // 5 requests + 5 replies, seen on each end
    const t = tshark(path);
    expect(t.code).toBe(0);
    expect(t.frames.length).toBe(fin.packets);
    expect(t.ifaceNames.sort()).toEqual([ifaceSpec(0).label, ifaceSpec(1).label].sort());
    for (let i = 1; i < t.frames.length; i++) expect(t.frames[i]!.time).toBeGreaterThanOrEqual(t.frames[i - 1]!.time);
    const comment = sh('capinfos', ['-k', path]);
    expect(comment).toContain('vsh test');
    expect(stats.length).toBeGreaterThan(0);
    // A second stop of the same capture is an error, as data.
    await expect(client.request('stopCapture', { captureId: id })).rejects.toMatchObject({ code: 'ALREADY_STOPPED' });
    await expect(client.request('stopCapture', { captureId: 'vsh-nope-0000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('writes classic pcap for one interface and refuses it for two', async () => {
    const path = join(dir, 'one.pcap');
    const id = cid();
    await client.request('startCapture', { captureId: id, ifaces: [ifaceSpec(1)], filter: '', snaplen: 65535, format: 'pcap', path, sectionComment: '', stop: { packetCount: 4 }, ring: null });
    const ended = new Promise<any>((r) => client.on('captureEnded', (d) => d.captureId === id && r(d)));
    ping(pair, 5);
    const e = await ended;
    expect(e.reason).toBe('count');
    expect(e.packets).toBe(4);
    expect(readFileSync(path).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(tshark(path).frames.length).toBe(4);
    await expect(
      client.request('startCapture', { captureId: cid(), ifaces: [ifaceSpec(0), ifaceSpec(1)], filter: '', snaplen: 65535, format: 'pcap', path: join(dir, 'two.pcap'), sectionComment: '', stop: {}, ring: null }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('rejects a bad filter with tcpdump\'s words before any file or tcpdump exists', async () => {
    const path = join(dir, 'bad.pcapng');
    const before = children(client.helperPid!).length;
    const err: any = await client.request('startCapture', { captureId: cid(), ifaces: [ifaceSpec(0)], filter: 'tcp port 99999', snaplen: 65535, format: 'pcapng', path, sectionComment: '', stop: {}, ring: null }).catch((e: any) => e);
    expect(err.code).toBe('BAD_FILTER');
    expect(err.message).toMatch(/99999/);
    expect(existsSync(path)).toBe(false);
    expect(children(client.helperPid!).length).toBe(before);
    await expect(client.request('validateFilter', { filter: 'tcp prt 80' })).rejects.toMatchObject({ code: 'BAD_FILTER' });
    expect(await client.request('validateFilter', { filter: 'tcp port 80' })).toMatchObject({ valid: true });
  });

  it('stops on duration and keeps a ring of N files', async () => {
    const path = join(dir, 'ring.pcapng');
    const id = cid();
    const ended = new Promise<any>((r) => client.on('captureEnded', (d) => d.captureId === id && r(d)));
    await client.request('startCapture', { captureId: id, ifaces: [ifaceSpec(0)], filter: '', snaplen: 65535, format: 'pcapng', path, sectionComment: '', stop: { durationSec: 2 }, ring: { files: 2, fileBytes: 4096 } });
    ping(pair, 8, 0.1, 1000);
    const e = await ended;
    expect(e.reason).toBe('duration');
    expect(e.files.length).toBe(2);
    for (const f of e.files) {
      expect(f).toMatch(/ring_\d{5}\.pcapng$/);
      expect(tshark(f).code).toBe(0);
    }
    expect(existsSync(join(dir, 'ring_00001.pcapng'))).toBe(false); // oldest deleted
  });

  it('reports the interface gone, then the target gone, and leaves a valid file', async () => {
    const tag = 'g';
    const p2 = makePair(tag, 72);
    try {
      const path = join(dir, 'gone.pcapng');
      const id = cid();
      const events: string[] = [];
      const ended = new Promise<any>((r) =>
        client.on('captureEnded', (d) => {
          if (d.captureId === id) {
            events.push('ended');
            r(d);
          }
        }),
      );
      client.on('captureIfaceEnded', (d) => d.captureId === id && events.push(`iface:${d.reason}`));
      await client.request('startCapture', { captureId: id, ifaces: [{ netns: p2.handles[0], iface: p2.ifs[0], label: 'vsh-gone', comment: '' }], filter: '', snaplen: 65535, format: 'pcapng', path, sectionComment: '', stop: {}, ring: null });
      ping(p2, 3);
      await sleep(1300); // let tcpdump's 1 s block timeout hand the packets over first
      sh('ip', ['-n', p2.ns[0], 'link', 'del', p2.ifs[0]]);
      const e = await ended;
      expect(events).toEqual(['iface:gone', 'ended']);
      expect(e.reason).toBe('target-gone');
      const t = tshark(path);
      expect(t.code).toBe(0);
      expect(t.frames.length).toBe(e.packets);
      expect(e.packets).toBeGreaterThanOrEqual(6);
    } finally {
      removePair(tag);
    }
  });

  it('stops with disk-full on a full tmpfs, the file still readable', async () => {
    const mnt = join(dir, 'tiny');
    sh('mkdir', ['-p', mnt]);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'vsh-tmpfs', mnt]);
    const id = cid();
    try {
      const path = join(mnt, 'full.pcapng');
      const ended = new Promise<any>((r) => client.on('captureEnded', (d) => d.captureId === id && r(d)));
      await client.request('startCapture', { captureId: id, ifaces: [ifaceSpec(0)], filter: '', snaplen: 65535, format: 'pcapng', path, sectionComment: '', stop: { durationSec: 20 }, ring: null });
      // ~600 KB of ICMP in 1400-byte pings (0.01 s apart: bounded, between our namespaces only).
      ping(pair, 250, 0.005, 1400);
      const e = await ended;
      expect(e.reason).toBe('disk-full');
      expect(e.error?.code).toBe('DISK_FULL');
      const t = tshark(path);
      expect(t.code).toBe(0); // cut back to whole blocks: no truncation warning
      expect(t.frames.length).toBeGreaterThan(50);
    } finally {
      await client.request('stopCapture', { captureId: id }).catch(() => undefined); // release the fd so umount works
      shTry('umount', [mnt]);
    }
  }, 60_000);

  // ---- writer 'tcpdump': tcpdump writes the classic pcap file itself (zero-copy) ----
  const direct = (path: string, stop: object, filter = '') => ({ captureId: cid(), ifaces: [ifaceSpec(1)], filter, snaplen: 65535, format: 'pcap' as const, path, sectionComment: '', stop, ring: null, writer: 'tcpdump' as const });

  it("writer 'tcpdump': stop by the user, every packet in the file, tshark count = reported count, samples and stats", async () => {
    const path = join(dir, 'direct-user.pcap');
    const req = direct(path, {}, 'icmp');
    const samples: any[] = [];
    const stats: any[] = [];
    client.on('captureSamples', (d) => d.captureId === req.captureId && samples.push(...d.samples));
    client.on('captureStats', (d) => d.captureId === req.captureId && stats.push(d));
    const started = (await client.request('startCapture', req)) as any;
    expect(started).toMatchObject({ files: [path], linkTypes: [1] });
    ping(pair, 5);
    await sleep(700);
    const fin = (await client.request('stopCapture', { captureId: req.captureId })) as any;
    expect(fin.reason).toBe('user');
    expect(fin.packets).toBe(10);
    expect(tshark(path).frames.length).toBe(10);
    expect(readFileSync(path).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(stats.some((s) => s.packets > 0)).toBe(true);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]).toMatchObject({ iface: 0, linkType: 1 });
    // The helper did not read tcpdump's stdout: its tcpdump wrote the file (fd 1 is the file).
  });

  it("writer 'tcpdump': packet count (-c) and size limit stop it, the file cut to whole records", async () => {
    const p1 = join(dir, 'direct-count.pcap');
    const r1 = direct(p1, { packetCount: 4 });
    const e1 = new Promise<any>((r) => client.on('captureEnded', (d) => d.captureId === r1.captureId && r(d)));
    await client.request('startCapture', r1);
    ping(pair, 5);
    const end1 = await e1;
    expect(end1).toMatchObject({ reason: 'count', packets: 4 });
    expect(tshark(p1).frames.length).toBe(4);

    const p2 = join(dir, 'direct-size.pcap');
    const r2 = direct(p2, { maxBytes: 20_000, durationSec: 20 });
    const e2 = new Promise<any>((r) => client.on('captureEnded', (d) => d.captureId === r2.captureId && r(d)));
    await client.request('startCapture', r2);
    ping(pair, 40, 0.02, 1000);
    const end2 = await e2;
    expect(end2.reason).toBe('size');
    const size = readFileSync(p2).length;
    expect(size).toBeGreaterThanOrEqual(20_000);
    expect(size).toBeLessThan(20_000 + 1100); // stopped after the packet that crossed the limit
    const t = tshark(p2);
    expect(t.code).toBe(0);
    expect(t.frames.length).toBe(end2.packets);
  });

  it("writer 'tcpdump': duration stop, and refused for pcapng / a ring", async () => {
    const path = join(dir, 'direct-dur.pcap');
    const r = direct(path, { durationSec: 1 });
    const ended = new Promise<any>((res) => client.on('captureEnded', (d) => d.captureId === r.captureId && res(d)));
    await client.request('startCapture', r);
    ping(pair, 3, 0.1);
    const e = await ended;
    expect(e.reason).toBe('duration');
    expect(tshark(path).frames.length).toBe(e.packets);
    await expect(client.request('startCapture', { ...direct(join(dir, 'x.pcapng'), {}), format: 'pcapng' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(client.request('startCapture', { ...direct(join(dir, 'x.pcap'), {}), ring: { files: 2, fileBytes: 4096 } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it("writer 'tcpdump': disk-full on a full tmpfs, the file cut back to whole records", async () => {
    const mnt = join(dir, 'tiny-direct');
    sh('mkdir', ['-p', mnt]);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'vsh-tmpfs', mnt]);
    const r = direct(join(mnt, 'full.pcap'), { durationSec: 20 });
    try {
      const ended = new Promise<any>((res) => client.on('captureEnded', (d) => d.captureId === r.captureId && res(d)));
      await client.request('startCapture', r);
      ping(pair, 250, 0.005, 1400);
      const e = await ended;
      expect(e.reason).toBe('disk-full');
      expect(e.error?.code).toBe('DISK_FULL');
      const t = tshark(r.path);
      expect(t.code).toBe(0); // no "cut short in the middle of a packet"
      expect(t.stderr).not.toMatch(/cut short/);
      expect(t.frames.length).toBe(e.packets);
      expect(t.frames.length).toBeGreaterThan(50);
    } finally {
      await client.request('stopCapture', { captureId: r.captureId }).catch(() => undefined);
      shTry('umount', [mnt]);
    }
  }, 60_000);
});
