// Every engine in one topology: Docker's API joined with the host files' names, pods,
// namespace names ranked, host-network containers of any engine, a user's own namespaces.
import { describe, expect, it } from 'vitest';
import { buildTopology } from '../../../../electron/backend/topology/build-topology';
import { mergeContainers, mergeHostListings } from '../../../../electron/backend/topology/engine-containers';
import { withOwnNamespaces } from '../../../../electron/backend/topology/own-namespaces';
import { needsDockerStateFiles } from '../../../../electron/backend/topology/topology-service';
import type { DockerContainer, DockerListing } from '../../../../electron/engines/docker';
import type { HostContainer, NamespaceScan } from '../../../../shared/helper-protocol';
import { Topology } from '../../../../shared/topology';
import { link, ns, veth } from '../../topology-fixtures';
import { monotonicMs } from '../../../../electron/util/clock';

const HOST = 1;
const host = (more: Partial<HostContainer> & Pick<HostContainer, 'engine' | 'id' | 'name' | 'pid'>): HostContainer => ({ image: null, pod: null, infra: false, netns: null, uid: 0, compose: null, ...more });
const api = (id: string, name: string, pid: number | null, more: Partial<DockerContainer> = {}): DockerContainer => ({ id, name, image: 'img', state: pid ? 'running' : 'exited', pid, networkMode: 'bridge', networks: [], compose: null, sandboxKey: null, ...more });
const listing = (containers: DockerContainer[], available = true): DockerListing => ({ status: { available, endpoint: 'unix:///x.sock' }, containers });

/** Host with one veth to each of namespaces 10 (pod), 20 (nspawn); 30 kept by an engine's bind mount only. */
function scan(): NamespaceScan {
  return {
    hostInode: HOST,
    privileged: true,
    warnings: [],
    namespaces: [
      ns(HOST, [link(1, 'lo', { kind: 'loopback' }), veth(5, 'veth0', 2, 0), veth(6, 've-box', 2, 1)], { isHost: true, pids: [1] }),
      ns(10, [veth(2, 'eth0', 5, 0)], { pids: [100, 101, 102], paths: ['/run/netns/netns-675a9c10-aabd-16e1-6347-0210688be933'], netnsNames: ['netns-675a9c10-aabd-16e1-6347-0210688be933'] }),
      ns(20, [veth(2, 'host0', 6, 0)], { pids: [200] }),
      ns(30, [link(1, 'lo', { kind: 'loopback' })], { paths: ['/run/netns/blue'], netnsNames: ['blue', 'cni-2e2eed4c-2a58-4c29-8002-05df595dfe8f'] }),
    ],
  };
}

describe('mergeContainers', () => {
  it("is one container when Docker's API and the host files see the same one; the host files say which engine", () => {
    const m = mergeContainers([api('c1', 'web', 100)], [host({ engine: 'podman', id: 'c1', name: 'web', pid: 100, pod: { name: 'p', namespace: null } })]);
    expect(m.containers).toHaveLength(1);
    expect(m.containers[0]).toMatchObject({ engine: 'podman', name: 'web', pod: { name: 'p' }, networkMode: 'bridge' });
    expect(m.engines).toEqual([{ engine: 'podman', containers: 1, sources: ['api', 'host'] }]);
  });

  it('lists every engine at once: Docker by its API, the others from the host', () => {
    const m = mergeContainers([api('d1', 'dock', 300), api('d2', 'old', null)], [host({ engine: 'lxc', id: 'box', name: 'box', pid: 200 }), host({ engine: 'docker', id: 'd1', name: 'dock', pid: 300 })]);
    expect(m.containers.map((c) => `${c.engine}:${c.name}`).sort()).toEqual(['docker:dock', 'docker:old', 'lxc:box']);
    expect(m.engines.map((e) => [e.engine, e.containers])).toEqual([
      ['docker', 2],
      ['lxc', 1],
    ]);
  });
});

describe('mergeHostListings', () => {
  it("keeps root's reading of root's engines and ours of our own rootless containers", () => {
    const root = { containers: [host({ engine: 'podman', id: 'r1', name: 'mine', pid: 5, uid: 1000, netns: 50 }), host({ engine: 'lxc', id: 'x', name: 'x', pid: 6 })], warnings: [] };
    const own = { containers: [host({ engine: 'podman', id: 'r1', name: 'mine', pid: 5, uid: 1000, image: 'localhost/app:1', pod: { name: 'pp', namespace: null } })], warnings: [] };
    const merged = mergeHostListings(root, own);
    expect(merged.containers).toHaveLength(2);
    expect(merged.containers[0]).toMatchObject({ image: 'localhost/app:1', pod: { name: 'pp' }, netns: 50 });
  });
});

describe('buildTopology with every engine', () => {
  const hostContainers = [
    host({ engine: 'podman', id: 'infra1', name: '8143ccdef2ea-infra', pid: 100, netns: 10, infra: true, pod: { name: 'shop', namespace: null } }),
    host({ engine: 'podman', id: 'a1', name: 'shop-api', pid: 101, netns: 10, pod: { name: 'shop', namespace: null }, image: 'localhost/api:1' }),
    host({ engine: 'podman', id: 'b1', name: 'shop-db', pid: 102, netns: 10, pod: { name: 'shop', namespace: null } }),
    host({ engine: 'nspawn', id: 'box', name: 'box', pid: 200, netns: 20 }),
    host({ engine: 'containerd', id: 'hn', name: 'default/hn', pid: 7, netns: HOST }),
  ];
  const topo = buildTopology(listing([]), scan(), 'root', monotonicMs(), undefined, { containers: hostContainers, warnings: [] });

  it('parses as the schema says, and an old Docker-only topology still parses', () => {
    expect(() => Topology.parse(topo)).not.toThrow();
    const old = Topology.parse({ generatedAt: '', hostNetns: 1, containers: [{ id: 'x', name: 'web', image: 'i', state: 'running', pid: 1, netns: 2, hostNetwork: false, networkMode: 'bridge', networks: [], compose: null, interfaces: [] }], namespaces: [], docker: { available: true }, privileged: { available: true, mode: 'root' }, warnings: [], elapsedMs: 1 });
    expect(old.containers[0]).toMatchObject({ engine: 'docker', pod: null, infra: false, user: null });
    expect(old.engines).toEqual([]);
  });

  it('names a namespace by its containers, then its pod, the infra, and only then the engine-internal file name', () => {
    expect(topo.namespaces.find((n) => n.inode === 10)!.names).toEqual(['shop-api', 'shop-db', 'shop', '8143ccdef2ea-infra', 'netns-675a9c10-aabd-16e1-6347-0210688be933']);
    expect(topo.namespaces.find((n) => n.inode === 30)!.names).toEqual(['blue', 'cni-2e2eed4c-2a58-4c29-8002-05df595dfe8f']);
  });

  it('gives every engine its interfaces and host peer, and pods a network mode', () => {
    const api1 = topo.containers.find((c) => c.name === 'shop-api')!;
    expect(api1).toMatchObject({ engine: 'podman', networkMode: 'pod', image: 'localhost/api:1', netns: 10 });
    expect(api1.interfaces.find((i) => i.name === 'eth0')?.hostPeer).toBe('veth0');
    expect(topo.containers.find((c) => c.name === 'box')!.interfaces.find((i) => i.name === 'host0')?.hostPeer).toBe('ve-box');
  });

  it("lists a host-network container of any engine as sharing the host's namespace", () => {
    expect(topo.containers.find((c) => c.name === 'default/hn')).toMatchObject({ hostNetwork: true, networkMode: 'host', netns: HOST });
  });
});

describe('withOwnNamespaces', () => {
  const unprivileged = (): NamespaceScan => ({
    hostInode: HOST,
    privileged: false,
    warnings: ['not running as root: only the host namespace was read'],
    namespaces: [ns(HOST, [veth(9, 'vethx', 2, null)], { isHost: true, pids: [1] }), ns(40, [], { pids: [400], error: 'needs root to enter' })],
  });

  it("reads our own rootless containers' namespaces (and the rootless-netns the scan did not know) as ourselves", async () => {
    const reader = {
      find: () => [
        { raw: ns(40, [], { pids: [400] }), enter: ['-U', '--preserve-credentials', '-n', '-t', '400'] },
        { raw: ns(41, [], { paths: ['/proc/399/root/tmp/podman-run-1000/netns/rootless-netns-abc'], netnsNames: ['rootless-netns-abc'] }), enter: [] },
      ],
      read: async (list: Array<{ raw: ReturnType<typeof ns> }>) =>
        list.map((o) => ({ ...o.raw, links: o.raw.inode === 40 ? [veth(2, 'eth0', 3, 0)] : [veth(3, 'veth1', 2, 0)], source: 'ip' as const })),
    };
    const merged = await withOwnNamespaces(unprivileged(), reader);
    expect(merged.namespaces.find((n) => n.inode === 40)).toMatchObject({ error: null, links: [{ name: 'eth0' }] });
    expect(merged.namespaces.find((n) => n.inode === 41)).toMatchObject({ netnsNames: ['rootless-netns-abc'], links: [{ name: 'veth1' }] });
    expect(merged.warnings).toEqual(['not running as root: only the host namespace and your own rootless containers were read']);
  });

  it('leaves the scan alone when we own no such namespace', async () => {
    const s = unprivileged();
    expect(await withOwnNamespaces(s, { find: () => [], read: async () => [] })).toBe(s);
  });
});

describe('needsDockerStateFiles', () => {
  const base = () => buildTopology(listing([api('d1', 'web', 300, { networks: [{ name: 'bridge', networkId: 'n', driver: 'bridge', ipv4: null, ipv6: null, mac: null, gateway: null }] })]), scan(), 'root', monotonicMs(), undefined, { containers: [host({ engine: 'docker', id: 'd1', name: 'web', pid: 300 })], warnings: [] });
  it("reads Docker's files on the first scan and when Docker's API did not answer", () => {
    expect(needsDockerStateFiles(null)).toBe(true);
    expect(needsDockerStateFiles({ ...base(), docker: { available: false } })).toBe(true);
  });
  it("skips them while Docker's API names every running Docker container", () => {
    expect(needsDockerStateFiles(base())).toBe(false);
  });
  it("keeps reading them when DOCKER_HOST is another engine's API and Docker's containers came from the host only", () => {
    const viaPodman = buildTopology(listing([api('p1', 'pd', 400, { networks: [{ name: 'podman', networkId: null, driver: 'bridge', ipv4: null, ipv6: null, mac: null, gateway: null }] })]), scan(), 'root', monotonicMs(), undefined, { containers: [host({ engine: 'podman', id: 'p1', name: 'pd', pid: 400 }), host({ engine: 'docker', id: 'd1', name: 'web', pid: 300, netns: 20 })], warnings: [] });
    expect(named(viaPodman, 'web').networkMode).toBe('private');
    expect(needsDockerStateFiles(viaPodman)).toBe(true);
  });
});

function named(t: ReturnType<typeof buildTopology>, name: string) {
  return t.containers.find((c) => c.name === name)!;
}
