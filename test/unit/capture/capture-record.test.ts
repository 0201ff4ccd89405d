import { describe, expect, it } from 'vitest';
import { CaptureRecord, PACKET_RING } from '../../../electron/backend/capture/capture-record';
import type { ResolvedIface } from '../../../electron/backend/capture/targets';
import { SampleRing } from '../../../electron/backend/capture/writer/capture-writer';

const r = (label: string): ResolvedIface => ({ netns: null, iface: 'veth0', atNetns: 1, label, comment: '', containerId: 'c1', containerName: 'web', target: 0, innerName: 'eth0' });
const mk = () => {
  const rec = new CaptureRecord('id-12345678', { targets: [{ type: 'container', container: 'web' }], format: 'pcapng', follow: true }, '/tmp/x.pcapng');
  rec.added(0, r('web/eth0 (veth0)'));
  rec.added(1, r('web/eth1 (veth1)'));
  return rec;
};
const counts = (packets: number, bytes: number) => ({ packets, bytes, files: ['/tmp/x.pcapng'], ifaces: new Map([[1, { packets, bytes }]]) });

describe('CaptureRecord', () => {
  it('folds the writer counts into totals, per-interface counts and rates; drops from tcpdump', () => {
    const s = mk();
    s.running(['/tmp/x.pcapng']);
    s.counted(counts(10, 1000), 1000);
    s.counted(counts(30, 5000), 1500);
    s.dropped(1, 1);
    expect(s.info).toMatchObject({ state: 'running', packets: 30, bytes: 5000, dropped: 1, packetsPerSec: 40, bytesPerSec: 8000 });
    expect(s.info.interfaces[1]).toMatchObject({ packets: 30, dropped: 1 });
  });
  it('numbers decoded samples and keeps the last 200, surviving a decoder that throws', () => {
    const s = mk();
    const sample = (no: number) => ({ iface: 0, no, tsSec: 10, tsUsec: 500000, origLen: 60, linkType: 1, data: Buffer.from('abcd') });
    s.sampled(Array.from({ length: 150 }, (_, i) => sample(i + 1)), () => ({ src: 'a', dst: 'b', protocol: 'ICMP', info: 'echo' }));
    const fresh = s.sampled(Array.from({ length: 100 }, (_, i) => sample(151 + i)), () => {
      throw new Error('bug');
    });
    expect(fresh[0]).toMatchObject({ no: 151, time: 10.5, iface: 'web/eth0 (veth0)', length: 60, protocol: 'LINKTYPE 1' });
    const kept = s.recentPackets(() => ({ src: 'a', dst: 'b', protocol: 'ICMP', info: 'echo' }));
    expect(kept).toHaveLength(PACKET_RING);
    expect(kept[0]!.no).toBe(51);
    expect(kept.at(-1)!.no).toBe(250);
  });
  it('with nobody watching, samples are kept undecoded and decoded only when asked for', () => {
    const s = mk();
    const sample = (no: number) => ({ iface: 1, no, tsSec: 20 + no, tsUsec: 0, origLen: 60, linkType: 1, data: Buffer.from('abcd') });
    let decoded = 0;
    const summarize = () => (decoded++, { src: 'a', dst: 'b', protocol: 'ICMP', info: 'echo' });
    for (let k = 0; k < 5; k++) s.keep(Array.from({ length: 100 }, (_, i) => sample(k * 100 + i + 1)));
    expect(decoded).toBe(0);
    // The first packet's time is known without decoding anything.
    expect(s.info.firstPacketTime).toBe(21);
    const kept = s.recentPackets(summarize);
    expect(decoded).toBe(PACKET_RING);
    expect(kept.map((p) => p.no)).toEqual(Array.from({ length: PACKET_RING }, (_, i) => 301 + i));
    expect(kept[0]).toMatchObject({ iface: 'web/eth1 (veth1)', time: 321, protocol: 'ICMP' });
    // Asked again with nothing new: nothing decoded twice.
    expect(s.recentPackets(summarize)).toHaveLength(PACKET_RING);
    expect(decoded).toBe(PACKET_RING);
  });
  it('above the sample ring\'s rate, packets keep their own numbers and times count from the capture\'s first packet', () => {
    const s = mk();
    const ring = new SampleRing();
    const head = Buffer.alloc(60, 1);
    // 2000 packets between two takes (the ring holds 200): the first one's sample is overwritten.
    for (let i = 0; i < 2000; i++) ring.add(i % 2, { tsSec: 100 + Math.floor(i / 1000), tsFrac: (i % 1000) * 1000, capLen: 60, origLen: 60, data: head });
    const fresh = s.sampled(ring.take(() => ({ linkType: 1, nanos: false })), () => ({ src: 'a', dst: 'b', protocol: 'X', info: '' }));
    expect(fresh.map((p) => p.no)).toEqual(Array.from({ length: 200 }, (_, i) => 1801 + i));
    expect(s.info.firstPacketTime).toBe(100);
    // A later take: the earliest time is not told again, numbers go on.
    ring.add(0, { tsSec: 200, tsFrac: 0, capLen: 60, origLen: 60, data: head });
    expect(ring.take(() => ({ linkType: 1, nanos: false })).map((p) => [p.no, p.timeOnly ?? false])).toEqual([[2001, false]]);
    // An interface whose packets are older than any seen (a part tailed later) moves the first time back.
    ring.add(1, { tsSec: 99, tsFrac: 5, capLen: 60, origLen: 60, data: head });
    s.sampled(ring.take(() => ({ linkType: 1, nanos: false })), () => ({ src: '', dst: '', protocol: '', info: '' }));
    expect(s.info.firstPacketTime).toBeCloseTo(99.000005, 6);
  });
  it('knows when every interface is gone, records gaps and re-attached interfaces', () => {
    const s = mk();
    expect(s.ifaceEnded(0, 'gone')).toBe(false);
    expect(s.ifaceEnded(1, 'gone')).toBe(true);
    s.openGap('web/eth0 (veth0)', new Date(1000));
    s.openGap('web/eth0 (veth0)', new Date(1500));
    expect(s.info.gaps).toHaveLength(1);
    s.added(2, r('web/eth0 (veth9)'));
    expect(s.ifaceEnded(0, 'gone')).toBe(false); // the re-attached one still captures
    s.closeGap('web/eth0 (veth0)', new Date(2000));
    expect(s.info.gaps[0]).toEqual({ label: 'web/eth0 (veth0)', from: new Date(1000).toISOString(), to: new Date(2000).toISOString() });
    expect(s.info.interfaces).toHaveLength(3);
  });
  it('ends once, with what the file holds; open gaps close at the end', async () => {
    const s = mk();
    s.openGap('web/eth0 (veth0)', new Date(1000));
    const waiting = s.waitEnd(1000);
    s.finished({ state: 'stopped', reason: 'target-gone', error: null, packets: 5, bytes: 500, files: ['/tmp/x.pcapng'] }, new Date(3000));
    expect(await waiting).toBe(true);
    expect(s.info).toMatchObject({ state: 'stopped', reason: 'target-gone', packets: 5, endedAt: new Date(3000).toISOString() });
    expect(s.info.gaps[0]!.to).toBe(new Date(3000).toISOString());
    s.finished({ state: 'failed', reason: 'helper-died', error: { code: 'HELPER_DIED', message: 'x' }, packets: 9, bytes: 9, files: [] });
    expect(s.info.reason).toBe('target-gone');

    const d = mk();
    d.finished({ state: 'failed', reason: 'disk-full', error: { code: 'DISK_FULL', message: 'no space' }, packets: 1, bytes: 1, files: [] });
    expect(d.info).toMatchObject({ state: 'failed', reason: 'disk-full', error: { code: 'DISK_FULL' } });
    expect(await mk().waitEnd(10)).toBe(false);
  });
});
