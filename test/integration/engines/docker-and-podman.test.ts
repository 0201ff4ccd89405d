// Docker and Podman at once. With DOCKER_HOST at the Docker daemon, Docker's containers come
// from its API and Podman's from the host files, one capture takes both; with DOCKER_HOST
// at Podman's Docker-compatible socket, Podman's come from that API (still engine podman)
// and Docker's are still named, from Docker's own state files.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE, ipOf, removeSuiteContainers, runContainer, testEnv } from '../../support/env';
import { waitFor } from '../../support/poll';
import { createServices } from '../../../electron/backend/create-backend';
import { buildCli } from '../discovery/cli-process';
import { discover, pidOf } from '../discovery/kernel-view';
import { allowBridge, captureByName, cli, expectHostPeer, have, iptablesChains, isRoot, named, pingFrom, removeNewChains, tryRun } from './fixture';
import { ENGINE_IMAGE, TestPodman } from './podman';

const SUITE = 'vseng-dockpod';
const NET = 'vseng-dpnet';
const ready = isRoot && have('podman') && have('dockerd') && have('tshark');

describe.skipIf(!ready)('Docker and Podman on one host, named at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vseng-dockpod-'));
  const podmanSock = join(dir, 'podman.sock');
  let pm: TestPodman;
  let service: ChildProcess | null = null;
  let chains: ReturnType<typeof iptablesChains>;
  let disallow = () => undefined as void;
  const dockerEnv = testEnv();
  const podmanEnv = { ...process.env, DOCKER_HOST: `unix://${podmanSock}` };

  beforeAll(async () => {
    chains = iptablesChains();
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vseng-dk1');
    runContainer(SUITE, 'vseng-dk2');
    pm = new TestPodman(dir);
    pm.importImage();
    pm.podman('network', 'create', '--subnet', '10.241.6.0/24', NET);
    pm.podman('run', '-d', '--name', 'vseng-pd1', '--network', NET, ENGINE_IMAGE, 'sleep', '100000');
    pm.podman('run', '-d', '--name', 'vseng-pd2', '--network', NET, ENGINE_IMAGE, 'sleep', '100000');
    disallow = allowBridge(pm.bridgeOf(NET));
    // Podman's Docker-compatible API on a socket of the suite's own.
    service = spawn('podman', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--cgroup-manager', 'cgroupfs', '--network-config-dir', join(dir, 'net'), '--tmpdir', join(dir, 'tmp'), '--events-backend', 'file', 'system', 'service', '--time=0', `unix://${podmanSock}`], { stdio: 'ignore', env: { ...process.env, CONTAINERS_CONF: pm.conf } });
    await waitFor("Podman's API socket", () => existsSync(podmanSock), 20_000);
    buildCli();
  }, 120_000);

  afterAll(() => {
    if (service?.pid) tryRun('kill', [String(service.pid)]);
    removeSuiteContainers(SUITE);
    pm?.remove([NET]);
    disallow();
    if (chains) removeNewChains(chains);
  }, 60_000);

  it("names both engines' containers at once, Docker's from its API and Podman's from the host", async () => {
    const topo = await discover(dockerEnv);
    const dk = named(topo, 'vseng-dk1', 'docker');
    const pd = named(topo, 'vseng-pd1', 'podman');
    expect(dk).toMatchObject({ image: IMAGE, networkMode: 'default' });
    expect(dk.networks.length).toBeGreaterThan(0);
    expect(pd).toMatchObject({ image: ENGINE_IMAGE });
    expectHostPeer(dk, 'eth0', `/proc/${pidOf('vseng-dk1')}/ns/net`);
    expectHostPeer(pd, 'eth0', `/proc/${pm.pid('vseng-pd1')}/ns/net`);
    expect(topo.engines.find((e) => e.engine === 'docker')?.sources).toEqual(['api', 'host']);
    expect(topo.engines.find((e) => e.engine === 'podman')?.sources).toEqual(['host']);
  });

  it('captures a Docker and a Podman container in one file, each interface named after its container', async () => {
    const topo = await discover(dockerEnv);
    const dkPeer = named(topo, 'vseng-dk1', 'docker').interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const pdPeer = named(topo, 'vseng-pd1', 'podman').interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const got = await captureByName(['vseng-dk1', 'vseng-pd1'], 4, join(dir, 'both.pcapng'), dockerEnv, () => {
      pingFrom(pidOf('vseng-dk2'), ipOf('vseng-dk1'), 1);
      pingFrom(pm.pid('vseng-pd2'), pm.ip('vseng-pd1'), 1);
    });
    expect(got.status, got.stderr).toBe(0);
    expect(new Set(got.icmp.map((r) => r.iface))).toEqual(new Set([`vseng-dk1/eth0 (${dkPeer})`, `vseng-pd1/eth0 (${pdPeer})`]));
    expect(got.descriptions.some((d) => d.includes('container vseng-dk1 (docker)'))).toBe(true);
    expect(got.descriptions.some((d) => d.includes('container vseng-pd1 (podman)'))).toBe(true);
  });

  it("with DOCKER_HOST at Podman's socket: Podman's containers from that API (engine podman), Docker's still named from its state files", async () => {
    // One backend, scanning again: Docker's files are still read while Docker's API is not the one answering.
    const { backend } = createServices({ env: podmanEnv });
    const scan = async () => {
      const r = await backend.call('getTopology', {});
      if (!r.ok) throw new Error(r.error.message);
      return r.result;
    };
    await scan();
    const topo = await scan().finally(() => backend.close());
    const pd = named(topo, 'vseng-pd1', 'podman');
    expect(pd.networks.map((n) => n.name)).toContain(NET);
    expect(topo.engines.find((e) => e.engine === 'podman')?.sources).toEqual(['api', 'host']);
    const dk = named(topo, 'vseng-dk1', 'docker');
    expect(dk).toMatchObject({ image: IMAGE });
    expectHostPeer(dk, 'eth0', `/proc/${pidOf('vseng-dk1')}/ns/net`);
    expect(topo.engines.find((e) => e.engine === 'docker')?.sources).toEqual(['host']);
    const peer = dk.interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    expect(cli(['veth', 'vseng-dk1'], podmanEnv)).toMatchObject({ status: 0, stdout: `${peer}\n` });
  });
});
