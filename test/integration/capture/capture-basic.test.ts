// Capture through the real helper and tcpdump; tshark judges every file.
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../support/capture-file-reader';
import { docker, dockerTry, isRoot, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { createNetwork, removeSuiteNetworks } from '../discovery/kernel-view';
import { ipOf, makeHarness, ping, pingAsync, tcpdumpsOn, tsharkFrames, waitEnded, type Harness } from './harness';

const SUITE = 'vsc-cap-basic';
const NET2 = 'vsc-cb-net2';

describe.skipIf(!isRoot)(`capture: containers on the bridge (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let h: Harness;
  let ips: Record<string, string>;
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    for (const n of ['vsc-cb-a', 'vsc-cb-b', 'vsc-cb-c', 'vsc-cb-d']) runContainer(SUITE, n);
    createNetwork(SUITE, NET2, ['--subnet', '10.215.7.0/24']);
    runContainer(SUITE, 'vsc-cb-two');
    docker('network', 'connect', NET2, 'vsc-cb-two');
    runContainer(SUITE, 'vsc-cb-peer2', ['--network', NET2]);
    ips = Object.fromEntries(['vsc-cb-a', 'vsc-cb-b', 'vsc-cb-c', 'vsc-cb-d', 'vsc-cb-two'].map((n) => [n, ipOf(n)]));
    ips['vsc-cb-two@2'] = ipOf('vsc-cb-two', NET2);
    h = makeHarness('vsc-cap-basic');
  });
  afterAll(async () => {
    await h?.close();
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
  });

  it("captures exactly container A's traffic (A pings B, C pings D)", async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-a' }], output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    const info = started.result;
    expect(info.interfaces).toHaveLength(1);
    expect(info.interfaces[0]!.label).toMatch(/^vsc-cb-a\/eth0 \(veth/);
    expect(info.files[0]).toMatch(/vsc-cb-a_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.pcapng$/);
    await Promise.all([pingAsync('vsc-cb-a', ips['vsc-cb-b']!, 10), pingAsync('vsc-cb-c', ips['vsc-cb-d']!, 10)]);
    const stopped = await h.services.backend.call('stopCapture', { id: info.id });
    expect(stopped.ok && stopped.result).toMatchObject({ state: 'stopped', reason: 'user' });
    const again = await h.services.backend.call('stopCapture', { id: info.id });
    expect(!again.ok && again.error.code).toBe('ALREADY_STOPPED');

    const frames = tsharkFrames(info.files[0]!);
    const aToB = frames.filter((f) => f.src === ips['vsc-cb-a'] && f.dst === ips['vsc-cb-b'] && f.proto === 'ICMP');
    expect(aToB.length).toBeGreaterThanOrEqual(10);
    expect(frames.some((f) => f.src === ips['vsc-cb-c'] || f.dst === ips['vsc-cb-d'])).toBe(false);
    expect(new Set(frames.map((f) => f.iface))).toEqual(new Set([info.interfaces[0]!.label]));
    // Live view: decoded summaries of the last packets.
    const pk = await h.services.backend.call('getPackets', { id: info.id });
    expect(pk.ok && pk.result.some((p) => p.protocol.includes('ICMP') && p.src === ips['vsc-cb-a'])).toBe(true);
    // Section comment names the target; the sidecar is written; listCaptures shows it.
    const file = await readCaptureFile(info.files[0]!);
    expect(file.sectionComment).toContain('vsc-cb-a/eth0');
    expect(file.interfaces[0]!.description).toContain(docker('inspect', '-f', '{{.Id}}', 'vsc-cb-a'));
    expect(existsSync(`${info.files[0]}.json`)).toBe(true);
    const listed = await h.services.backend.call('listCaptures', {});
    expect(listed.ok && listed.result.find((c) => c.id === info.id)?.packets).toBeGreaterThanOrEqual(20);
  });

  it('merges two containers into one time-ordered file with per-container interface names', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-a' }, { type: 'container', container: 'vsc-cb-c' }], output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    expect(started.result.files[0]).toContain('vsc-cb-a+vsc-cb-c_');
    await Promise.all([pingAsync('vsc-cb-a', ips['vsc-cb-b']!, 10), pingAsync('vsc-cb-c', ips['vsc-cb-d']!, 10)]);
    const stopped = await h.services.backend.call('stopCapture', { id: started.result.id });
    expect(stopped.ok).toBe(true);
    const frames = tsharkFrames(started.result.files[0]!);
    const names = new Set(frames.map((f) => f.iface));
    expect([...names].sort().map((n) => n.replace(/ \(.*/, ''))).toEqual(['vsc-cb-a/eth0', 'vsc-cb-c/eth0']);
    for (const n of names) expect(frames.filter((f) => f.iface === n && f.proto === 'ICMP').length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.time).toBeGreaterThanOrEqual(frames[i - 1]!.time);
  });

  it('gives a container on two networks two interfaces (two IDBs)', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-two' }], output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    expect(started.result.interfaces.map((i) => i.label.replace(/ \(.*/, '')).sort()).toEqual(['vsc-cb-two/eth0', 'vsc-cb-two/eth1']);
    await Promise.all([pingAsync('vsc-cb-a', ips['vsc-cb-two']!, 5), pingAsync('vsc-cb-peer2', ips['vsc-cb-two@2']!, 5)]);
    await h.services.backend.call('stopCapture', { id: started.result.id });
    const file = await readCaptureFile(started.result.files[0]!);
    expect(file.interfaces).toHaveLength(2);
    const frames = tsharkFrames(started.result.files[0]!);
    expect(new Set(frames.filter((f) => f.proto === 'ICMP').map((f) => f.iface)).size).toBe(2);
  });

  it('refuses a bad filter before anything starts: no file, no tcpdump', async () => {
    const veth = (await h.services.topology.discover()).containers.find((c) => c.name === 'vsc-cb-a')!.interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const before = readdirSync(h.dir);
    const res = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-a' }], filter: 'tcp port 80 and and', output: { dir: h.dir } });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('BAD_FILTER');
    expect(res.error.message).toMatch(/syntax|and/);
    expect(readdirSync(h.dir)).toEqual(before);
    expect(tcpdumpsOn(veth)).toEqual([]);
    const v = await h.services.backend.call('validateFilter', { filter: 'icmp or tcp port 80' });
    expect(v.ok).toBe(true);
  });

  it('names unknown, ambiguous and host-network targets, and unwritable paths, as errors', async () => {
    const nf = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-nope' }] });
    expect(!nf.ok && nf.error.code).toBe('NOT_FOUND');
    const amb = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-' }] });
    expect(!amb.ok && amb.error.code).toBe('AMBIGUOUS');
    expect(!amb.ok && amb.error.message).toContain('vsc-cb-a');
    runContainer(SUITE, 'vsc-cb-hostnet', ['--network', 'host']);
    const hn = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-hostnet' }] });
    expect(!hn.ok && hn.error.message).toMatch(/host:/);
    dockerTry('rm', '-f', 'vsc-cb-hostnet');
    const missing = await h.services.backend.call('stopCapture', { id: 'no-such-capture' });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
  });

  it('stops by itself on a packet count and a duration', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-a' }], stop: { packetCount: 6 }, output: { dir: h.dir } });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    ping('vsc-cb-a', ips['vsc-cb-b']!, 10);
    const ended = await waitEnded(h, started.result.id);
    expect(ended).toMatchObject({ state: 'stopped', reason: 'count' });
    expect(tsharkFrames(ended.files[0]!)).toHaveLength(6);

    const t0 = Date.now();
    const d = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsc-cb-a' }], stop: { durationSec: 1 }, output: { dir: h.dir } });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const e2 = await waitEnded(h, d.result.id);
    expect(e2.reason).toBe('duration');
    expect(Date.now() - t0).toBeLessThan(5000);
    tsharkFrames(e2.files[0]!);
  });
});
