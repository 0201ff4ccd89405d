import { describe, expect, it } from 'vitest';
import { CaptureSession, PACKET_RING } from '../../../electron/backend/capture/capture-record';
import type { ResolvedIface } from '../../../electron/backend/capture/targets';

const r = (label: string): ResolvedIface => ({ netns: null, iface: 'veth0', atNetns: 1, label, comment: '', containerId: 'c1', containerName: 'web', target: 0, innerName: 'eth0' });
const mk = () => new CaptureSession('id-12345678', { targets: [{ type: 'container', container: 'web' }], format: 'pcapng', follow: true }, [r('web/eth0 (veth0)'), r('web/eth1 (veth1)')], '/tmp/x.pcapng');
const stats = (packets: number, bytes: number) => ({ captureId: 'id-12345678', packets, bytes, dropped: 1, files: ['/tmp/x.pcapng'], ifaces: [{ index: 1, packets, bytes, dropped: 1, ended: null, message: null }] });

describe('CaptureSession', () => {
  it('folds stats into totals, per-interface counts and rates', () => {
    const s = mk();
    s.running(['/tmp/x.pcapng']);
    s.onStats(stats(10, 1000), 1000);
    s.onStats(stats(30, 5000), 1500);
    expect(s.info).toMatchObject({ state: 'running', packets: 30, bytes: 5000, dropped: 1, packetsPerSec: 40, bytesPerSec: 8000 });
    expect(s.info.interfaces[1]!.packets).toBe(30);
  });
  it('numbers decoded samples and keeps the last 200, surviving a decoder that throws', () => {
    const s = mk();
    const sample = { iface: 0, tsSec: 10, tsUsec: 500000, origLen: 60, linkType: 1, data: Buffer.from('abcd').toString('base64') };
    s.onSamples({ captureId: 'x', samples: Array.from({ length: 150 }, () => sample) }, () => ({ src: 'a', dst: 'b', protocol: 'ICMP', info: 'echo' }));
    const fresh = s.onSamples({ captureId: 'x', samples: Array.from({ length: 100 }, () => sample) }, () => {
      throw new Error('bug');
    });
    expect(fresh[0]).toMatchObject({ no: 151, time: 10.5, iface: 'web/eth0 (veth0)', length: 60, protocol: 'LINKTYPE 1' });
    const kept = s.recentPackets();
    expect(kept).toHaveLength(PACKET_RING);
    expect(kept[0]!.no).toBe(51);
    expect(kept.at(-1)!.no).toBe(250);
  });
  it('knows when every interface is gone, records gaps and re-attached interfaces', () => {
    const s = mk();
    expect(s.onIfaceEnded(0, 'gone')).toBe(false);
    expect(s.onIfaceEnded(1, 'gone')).toBe(true);
    s.openGap('web/eth0 (veth0)', new Date(1000));
    s.openGap('web/eth0 (veth0)', new Date(1500));
    expect(s.info.gaps).toHaveLength(1);
    expect(s.attached(r('web/eth0 (veth0)'))).toBe(2);
    s.closeGap('web/eth0 (veth0)', new Date(2000));
    expect(s.info.gaps[0]).toEqual({ label: 'web/eth0 (veth0)', from: new Date(1000).toISOString(), to: new Date(2000).toISOString() });
    expect(s.info.interfaces).toHaveLength(3);
  });
  it('ends once: target-gone forced over the helper user stop; disk-full fails; helper death is data', async () => {
    const s = mk();
    s.forcedReason = 'target-gone';
    const waiting = s.waitEnd(1000);
    s.onEnded({ captureId: 'x', reason: 'user', error: null, packets: 5, bytes: 500, dropped: 0, files: ['/tmp/x.pcapng'] });
    expect(await waiting).toBe(true);
    expect(s.info).toMatchObject({ state: 'stopped', reason: 'target-gone', packets: 5 });
    s.onHelperDied('gone');
    expect(s.info.reason).toBe('target-gone');

    const d = mk();
    d.onEnded({ captureId: 'x', reason: 'disk-full', error: { code: 'DISK_FULL', message: 'no space' }, packets: 1, bytes: 1, dropped: 0, files: [] });
    expect(d.info).toMatchObject({ state: 'failed', reason: 'disk-full', error: { code: 'DISK_FULL' } });

    const h = mk();
    h.onHelperDied('helper exited');
    expect(h.info).toMatchObject({ state: 'failed', reason: 'helper-died', error: { code: 'HELPER_DIED' } });
    expect(await mk().waitEnd(10)).toBe(false);
  });
});
