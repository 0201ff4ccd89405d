import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, DOCKER_HOST, ipOf, isRoot, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { sleep } from '../../support/poll';
import { counter, execAsync, runTop, type TopLine } from './top-support';

const SUITE = 'vsr-rates';
const CHUNK_KB = 100;
const CHUNKS = 40;
const INTERVAL = 0.5;

/** Bytes a container moved over the window: each rate times the time it covered. */
function integrate(lines: TopLine[], name: string, field: 'txBytesPerSec' | 'rxBytesPerSec'): number {
  let total = 0;
  lines.forEach((l, i) => {
    const dt = i === 0 ? INTERVAL : l.time - lines[i - 1]!.time;
    total += (l.containers.find((c) => c.name === name)?.[field] ?? 0) * dt;
  });
  return total;
}

describe.skipIf(!isRoot)(`rates: vethscope top with real traffic (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    process.env.DOCKER_HOST = DOCKER_HOST;
    removeSuiteContainers(SUITE);
    for (const n of ['vsr-a', 'vsr-b', 'vsr-c', 'vsr-idle', 'vsr-cycle']) runContainer(SUITE, n);
  });
  afterAll(() => removeSuiteContainers(SUITE));

  it('ranks the busy sender first, integrates to the bytes sent within 10%, and shows an idle container near zero', async () => {
    const [b, c] = [ipOf('vsr-b'), ipOf('vsr-c')];
    // Listeners keep stdin open (busybox nc exits on stdin EOF) and end when the sender closes.
    for (const n of ['vsr-b', 'vsr-c']) docker('exec', '-d', n, 'sh', '-c', 'sleep 60 | nc -l -p 9000 > /dev/null');
    await sleep(300);
    let started!: () => void;
    const firstLine = new Promise<void>((r) => (started = r));
    const top = runTop(['--samples', '14', '--interval', String(INTERVAL)], () => started());
    await firstLine;
    const before = counter('vsr-a', 'tx_bytes');
    // Two paced streams (about 2 s each), so the traffic spans several samples.
    const send = (ip: string) => `for i in $(seq ${CHUNKS}); do dd if=/dev/zero bs=1k count=${CHUNK_KB} 2>/dev/null; sleep 0.05; done | nc ${ip} 9000`;
    const results = await Promise.all([execAsync(['vsr-a', 'sh', '-c', send(b)]), execAsync(['vsr-a', 'sh', '-c', send(c)])]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const sentByCounters = counter('vsr-a', 'tx_bytes') - before;
    const payload = 2 * CHUNKS * CHUNK_KB * 1024;
    const { status, lines, stderr } = await top.done;
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(lines).toHaveLength(14);

    const measured = integrate(lines, 'vsr-a', 'txBytesPerSec');
    console.log(`[rates] vsr-a tx: integrated ${measured.toFixed(0)} B, sender counters ${sentByCounters} B, payload ${payload} B (${((measured / sentByCounters - 1) * 100).toFixed(2)}% vs counters, ${((measured / payload - 1) * 100).toFixed(2)}% vs payload)`);
    expect(Math.abs(measured - sentByCounters) / sentByCounters).toBeLessThan(0.1);
    expect(Math.abs(measured - payload) / payload).toBeLessThan(0.1);
    // What vsr-b received (container view) is what it got from vsr-a: about half.
    expect(integrate(lines, 'vsr-b', 'rxBytesPerSec') / measured).toBeGreaterThan(0.4);

    const busiest = lines.reduce((best, l) => (sum(l, 'vsr-a') > sum(best, 'vsr-a') ? l : best));
    expect(busiest.containers[0]!.name).toBe('vsr-a');
    for (const l of lines) {
      const idle = l.containers.find((x) => x.name === 'vsr-idle')!;
      expect(idle.rxBytesPerSec + idle.txBytesPerSec).toBeLessThan(2048); // an ARP broadcast at most
    }
  });

  it('never reports a negative or absurd value while a container restarts, and picks up its new veth', async () => {
    const cycleIp = ipOf('vsr-cycle');
    const ping = execAsync(['vsr-a', 'ping', '-c', '120', '-i', '0.1', '-s', '1000', cycleIp], 20_000);
    let restarted = -1;
    const top = runTop(['--samples', '26', '--interval', String(INTERVAL)], (_l, i) => {
      if (i === 3) {
        restarted = i;
        docker('restart', '-t', '0', 'vsr-cycle');
      }
    });
    const { status, lines } = await top.done;
    await ping;
    expect(status).toBe(0);
    expect(restarted).toBe(3);
    for (const l of lines)
      for (const c of l.containers)
        for (const v of [c.rxBytesPerSec, c.txBytesPerSec, c.rxPacketsPerSec, c.txPacketsPerSec]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThan(50e6); // 1 KB pings every 100 ms: anything near this is a counter artefact
        }
    // Pings at ~10/s before the restart and again after it: the new veth was mapped.
    const cycleRx = (l: TopLine) => l.containers.find((c) => c.name === 'vsr-cycle')?.rxBytesPerSec ?? 0;
    expect(lines.slice(1, 3).some((l) => cycleRx(l) > 5000)).toBe(true);
    expect(lines.slice(-5).some((l) => cycleRx(l) > 5000)).toBe(true);
  });
});

const sum = (l: TopLine, name: string) => {
  const c = l.containers.find((x) => x.name === name);
  return c ? c.rxBytesPerSec + c.txBytesPerSec : 0;
};
