// Docker's listing from one list call: a running container whose pid the host's files name
// (its containerd shim) is not inspected, and the listing equals the inspect-everything one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, isRoot, removeSuiteContainers, runContainer, SKIP_REASON, testEnv } from '../../support/env';
import { createNetwork, removeSuiteNetworks } from './kernel-view';
import { completeDockerListing, listDockerContainers, listDockerSummaries, type DockerApi } from '../../../electron/engines/docker';
import { createDockerClient, dockerodeApi } from '../../../electron/backend/topology/dockerode-api';
import { readHostContainers } from '../../../electron/engines/host-containers';

const SUITE = 'vsd-disc-listonly';
const NET = 'vsd-lo-net';

function counting(api: DockerApi): { api: DockerApi; inspected: string[] } {
  const inspected: string[] = [];
  return { inspected, api: { ...api, inspect: (id) => (inspected.push(id), api.inspect(id)) } };
}

describe.skipIf(!isRoot)(`discovery: Docker listed without an inspect per container (${isRoot ? 'root' : SKIP_REASON})`, () => {
  const ids: Record<string, string> = {};
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    createNetwork(SUITE, NET, ['--subnet', '10.99.7.0/24']);
    ids.plain = runContainer(SUITE, 'vsd-lo-plain');
    ids.twoNets = runContainer(SUITE, 'vsd-lo-two', ['--network', NET]);
    docker('network', 'connect', 'bridge', 'vsd-lo-two');
    ids.hostNet = runContainer(SUITE, 'vsd-lo-host', ['--network', 'host']);
    ids.paused = runContainer(SUITE, 'vsd-lo-paused');
    docker('pause', 'vsd-lo-paused');
    ids.exited = runContainer(SUITE, 'vsd-lo-exited', [], undefined, ['true']);
    docker('wait', 'vsd-lo-exited');
    ids.created = docker('create', '--name', 'vsd-lo-created', '--label', `vethscope.test=${SUITE}`, 'vethscope-test/busybox:1', 'sleep', '1');
  });
  afterAll(() => {
    dockerTryUnpause();
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
  });
  const dockerTryUnpause = () => {
    try {
      docker('unpause', 'vsd-lo-paused');
    } catch {
      /* not paused */
    }
  };

  it('inspects only what the list and the host files cannot tell, and lists the same containers the same way', async () => {
    const env = testEnv();
    const real = dockerodeApi(createDockerClient(env));
    const full = await listDockerContainers(real, env.DOCKER_HOST);
    expect(full.status.available).toBe(true);

    const host = readHostContainers({ dockerStateFiles: false });
    const pids = new Map(host.containers.filter((c) => c.engine === 'docker').map((c) => [c.id, c.pid]));
    // The shim's first child is the container's own main process, as Docker reports it.
    for (const k of ['plain', 'twoNets', 'hostNet']) expect(pids.get(ids[k]!), k).toBe(Number(docker('inspect', '-f', '{{.State.Pid}}', ids[k]!)));

    const { api, inspected } = counting(real);
    const quick = await completeDockerListing(api, await listDockerSummaries(api, env.DOCKER_HOST), pids);
    // The sandbox path comes only from an inspect; it matters only for a container without a pid.
    const byId = (l: typeof full) => new Map(l.containers.map((c) => [c.id, c.pid === null ? c : { ...c, sandboxKey: null }]));
    expect(byId(quick)).toEqual(byId(full));
    for (const k of ['plain', 'twoNets', 'hostNet', 'exited', 'created']) expect(inspected, k).not.toContain(ids[k]);
    // Paused: the list says so, but only an inspect tells its pid (kept frozen, still in its namespace).
    expect(inspected).toContain(ids.paused);
    expect(byId(quick).get(ids.paused!)!.pid).toBe(Number(docker('inspect', '-f', '{{.State.Pid}}', ids.paused!)));
    expect(byId(quick).get(ids.twoNets!)!.networks.map((n) => n.name).sort()).toEqual(['bridge', NET].sort());
    expect(byId(quick).get(ids.exited!)!.pid).toBeNull();
    // Everything running whose shim the host shows: no inspect at all.
    const running = full.containers.filter((c) => c.state === 'running' && pids.has(c.id));
    expect(running.length).toBeGreaterThanOrEqual(3);
    expect(inspected.filter((id) => running.some((c) => c.id === id))).toEqual([]);
  });
});
