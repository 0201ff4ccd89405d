// Naming the side that cannot keep up: the verdict from a window's numbers, and the /proc and
// /sys readers it is fed from, against real processes and file systems.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { blockDeviceOf, BottleneckProbe, judgeBottleneck, processCpuSec, WireLossEstimate, type Window } from '../../../../electron/backend/capture/bottleneck';

const base: Window = { seconds: 1, cpu: { share: 0.2, engine: 'dumpcap', label: 'web-1/eth0 (veth1)' }, machineBusy: 0.3, disk: { busy: 0.1, name: 'sda' }, drops: 0, packets: 100_000, bytes: 150_000_000, snaplen: 262144 };

describe('judgeBottleneck', () => {
  it('says nothing while everything keeps up', () => {
    expect(judgeBottleneck(base)).toBeNull();
  });

  it('names the disk when it is busy all the time and packets are dropped, with what a short snaplen would save', () => {
    const v = judgeBottleneck({ ...base, disk: { busy: 0.97, name: 'sda' }, drops: 5000 });
    expect(v?.kind).toBe('disk');
    expect(v?.message).toContain('sda');
    expect(v?.message).toContain('97% busy');
    expect(v?.message).toMatch(/--snaplen 96 writes about 8% of the bytes/); // (96+32)/(1500+32)
  });

  it('names the capture engine when it uses a whole core', () => {
    const v = judgeBottleneck({ ...base, cpu: { share: 0.99, engine: 'tcpdump', label: 'db/eth0 (veth2)' }, drops: 10 });
    expect(v?.kind).toBe('cpu');
    expect(v?.message).toContain('tcpdump on db/eth0 (veth2) uses 99% of a core');
  });

  it('with dumpcap (no live drop count) a saturated side is still named, saying drops are likely', () => {
    const v = judgeBottleneck({ ...base, cpu: { share: 0.95, engine: 'dumpcap', label: 'x' }, drops: null });
    expect(v?.kind).toBe('cpu');
    expect(v?.message).toContain('probably dropping');
  });

  it('a saturated side without drops (tcpdump counts them live) is no bottleneck: it keeps up', () => {
    expect(judgeBottleneck({ ...base, cpu: { share: 0.95, engine: 'tcpdump', label: 'x' }, drops: 0 })).toBeNull();
  });

  it('drops while the machine\'s CPUs are saturated (the traffic itself costs CPU): the CPU, with the share the engine got', () => {
    const v = judgeBottleneck({ ...base, machineBusy: 0.97, cpu: { share: 0.6, engine: 'dumpcap', label: 'x' }, drops: 800 });
    expect(v?.kind).toBe('cpu');
    expect(v?.message).toContain("CPUs are 97% busy; dumpcap got 60% of one");
  });

  it('drops with neither saturated: the kernel buffer overflows in bursts', () => {
    const v = judgeBottleneck({ ...base, drops: 42 });
    expect(v?.kind).toBe('kernel');
    expect(v?.message).toContain('42 packets');
  });

  it('small packets: no snaplen advice, a filter instead', () => {
    const v = judgeBottleneck({ ...base, bytes: 6_000_000, drops: 3 });
    expect(v?.message).toContain('capture filter');
    expect(v?.message).not.toContain('--snaplen');
  });
});

describe('readers', () => {
  it('processCpuSec grows for a busy process and not for a sleeping one; null once gone', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);']);
    const idle = spawn('/bin/sleep', ['5']);
    try {
      await new Promise((r) => setTimeout(r, 100));
      const b0 = processCpuSec(busy.pid!)!;
      const i0 = processCpuSec(idle.pid!)!;
      await new Promise((r) => setTimeout(r, 600));
      expect(processCpuSec(busy.pid!)! - b0).toBeGreaterThan(0);
      expect(processCpuSec(idle.pid!)! - i0).toBe(0);
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
    await new Promise((r) => busy.once('exit', r));
    expect(processCpuSec(busy.pid!)).toBeNull();
  });

  it('a file on tmpfs has no disk to blame; the probe then judges by CPU and drops only', () => {
    expect(blockDeviceOf('/dev/shm')).toBeNull();
    // An idle machine, whatever else this one runs meanwhile (the whole unit suite, in parallel).
    let ticks = 0;
    const idleMachine = () => ({ busy: 0, total: (ticks += 200) });
    const probe = new BottleneckProbe('/dev/shm', 262144, false, idleMachine);
    expect(probe.sample({ drops: 0, packets: 0, bytes: 0 }, 0)).toBeNull();
    expect(probe.sample({ drops: 500, packets: 1000, bytes: 1_500_000 }, 1000)?.kind).toBe('kernel');
    // Within the window the verdict is kept, not recomputed from a too-short interval.
    expect(probe.sample({ drops: 500, packets: 1000, bytes: 1_500_000 }, 1200)?.kind).toBe('kernel');
    expect(probe.sample({ drops: 500, packets: 2000, bytes: 3_000_000 }, 2200)).toBeNull();
  });

  it("dumpcap's loss estimate: a ring filling at a burst's start is no loss; packets really missing are, once", () => {
    const ring = 64 << 20;
    const est = new WireLossEstimate();
    expect(est.update(1_000, 0, 0, ring, 262144)).toBe(0); // the first sample is the baseline
    // iperf3 starts: 64 KB packets, the file 1,045 behind (seen as "1045 packets were lost in 1 s").
    expect(est.update(1_000 + 2_000, 955, 955 * 65_000, ring, 262144)).toBe(0);
    expect(est.update(1_000 + 30_000, 28_955, 28_955 * 65_000, ring, 262144)).toBe(0);
    // Full rate, 1500-byte packets: 200,000 carried that the file does not hold, more than the rings can.
    const small = new WireLossEstimate();
    small.update(0, 0, 0, ring, 262144);
    const inRings = (2 * ring) / (1500 + 96);
    expect(small.update(300_000, 100_000, 100_000 * 1500, ring, 262144)).toBe(Math.round(200_000 - inRings));
    // Counted once: the same gap in the next window is no new loss; a bigger one adds only the growth.
    expect(small.update(360_000, 160_000, 160_000 * 1500, ring, 262144)).toBe(0);
    expect(small.update(430_000, 210_000, 210_000 * 1500, ring, 262144)).toBe(20_000);
  });
});
