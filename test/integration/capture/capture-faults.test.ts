// Targets that go away: stopped mid-capture (target-gone), restarted with --follow
// (re-attached, gap recorded), and a macvlan container captured inside its namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerTry, ip, ipTry, isRoot, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { createNetwork, removeSuiteNetworks } from '../discovery/kernel-view';
import { ipOf, makeHarness, ping, pingAsync, tsharkFrames, waitEnded, waitFor, type Harness } from './harness';

const SUITE = 'vsc-cap-faults';
const PARENT = 'vsc-mvp0';

describe.skipIf(!isRoot)(`capture: targets that go away, macvlan (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let h: Harness;
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    for (const n of ['vsc-cf-a', 'vsc-cf-b', 'vsc-cf-r']) runContainer(SUITE, n);
    ipTry('link', 'del', PARENT);
    // No dummy links on this kernel: a host veth pair is the macvlan parent.
    ip('link', 'add', PARENT, 'type', 'veth', 'peer', 'name', 'vsc-mvp1');
    ip('link', 'set', PARENT, 'up');
    ip('link', 'set', 'vsc-mvp1', 'up');
    createNetwork(SUITE, 'vsc-cf-mv', ['-d', 'macvlan', '-o', `parent=${PARENT}`, '--subnet', '10.215.8.0/24']);
    runContainer(SUITE, 'vsc-cf-mv1', ['--network', 'vsc-cf-mv']);
    runContainer(SUITE, 'vsc-cf-mv2', ['--network', 'vsc-cf-mv']);
    h = makeHarness('vsc-cap-faults');
  });
  afterAll(async () => {
    await h?.close();
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    ipTry('link', 'del', PARENT);
  });

  it('captures a macvlan container inside its namespace', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cf-mv1' }], output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    const topo = await h.services.topology.discover();
    const c = topo.containers.find((x) => x.name === 'vsc-cf-mv1')!;
    expect(started.result.interfaces[0]).toMatchObject({ at: { netns: c.netns, name: 'eth0' } });
    expect(started.result.interfaces[0]!.label).toBe('vsc-cf-mv1/eth0 (macvlan in netns)');
    ping('vsc-cf-mv2', ipOf('vsc-cf-mv1'), 8);
    await h.services.backend.call('stopCapture', { id: started.result.id });
    const frames = tsharkFrames(started.result.files[0]!);
    expect(frames.filter((f) => f.proto === 'ICMP' && f.dst === ipOf('vsc-cf-mv1')).length).toBeGreaterThanOrEqual(8);
  });

  it('ends with target-gone when the container stops mid-capture; the file stays valid', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cf-a' }], output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    ping('vsc-cf-a', ipOf('vsc-cf-b'), 5);
    // dumpcap gets packets when the kernel retires a ring block (within its 250 ms read timeout):
    // what a vanishing interface still held is lost with it (measured: the last 2 of 5 pings at
    // 50 ms, and 3 once in CI). Every ping here was sent well before that window: all are kept.
    await new Promise((r) => setTimeout(r, 1000));
    docker('stop', '-t', '0', 'vsc-cf-a');
    const ended = await waitEnded(h, started.result.id, 15_000);
    expect(ended).toMatchObject({ state: 'stopped', reason: 'target-gone' });
    expect(tsharkFrames(ended.files[0]!).filter((f) => f.proto === 'ICMP').length).toBe(10);
    dockerTry('start', 'vsc-cf-a');
  });

  it('follows a container across docker restart: packets before and after, a gap recorded', async () => {
    const before = ipOf('vsc-cf-r');
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cf-r' }], follow: true, output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    const id = started.result.id;
    ping('vsc-cf-b', before, 5);
    docker('restart', '-t', '0', 'vsc-cf-r');
    const info = await waitFor('re-attach after the restart', async () => {
      const r = await h.services.backend.call('listCaptures', {});
      const c = r.ok ? r.result.find((x) => x.id === id) : undefined;
      if (c && c.state !== 'running') throw new Error(`capture ended: ${JSON.stringify(c)}`);
      return c && c.interfaces.length === 2 && c.gaps[0]?.to ? c : null;
    }, 15_000);
    expect(info.gaps[0]!.label).toBe(info.interfaces[0]!.label);
    // The re-attached interface is labelled after the veth actually captured (the old one is gone).
    const [first, again] = info.interfaces;
    expect(first!.label).toBe(`vsc-cf-r/eth0 (${first!.at.name})`);
    expect(again!.label).toBe(`vsc-cf-r/eth0 (${again!.at.name})`);
    expect(again!.at.name).not.toBe(first!.at.name);
    const after = ipOf('vsc-cf-r');
    await pingAsync('vsc-cf-b', after, 5);
    // The live counters follow the re-attached interface too (they froze at the restart before).
    const live = await waitFor('live counters of the re-attached interface', async () => {
      const r = await h.services.backend.call('listCaptures', {});
      const c = r.ok ? r.result.find((x) => x.id === id) : undefined;
      return c && (c.interfaces[1]?.packets ?? 0) >= 10 ? c : null;
    }, 10_000);
    expect(live.packets).toBeGreaterThanOrEqual((info.interfaces[0]?.packets ?? 0) + 10);
    const stopped = await h.services.backend.call('stopCapture', { id });
    expect(stopped.ok && stopped.result).toMatchObject({ state: 'stopped', reason: 'user' });
    const frames = tsharkFrames(stopped.ok ? stopped.result.files[0]! : '');
    const gapFrom = Date.parse(info.gaps[0]!.from) / 1000;
    const gapTo = Date.parse(info.gaps[0]!.to!) / 1000;
    const icmp = frames.filter((f) => f.proto === 'ICMP');
    expect(icmp.filter((f) => f.time < gapFrom).length).toBeGreaterThanOrEqual(5);
    expect(icmp.filter((f) => f.time > gapTo).length).toBeGreaterThanOrEqual(5);
  });
});
