import { describe, expect, it } from 'vitest';
import { readHostContainers } from '../../../electron/engines/host-containers';
import type { HostContainer } from '../../../shared/helper-protocol';
import { loadLayout, replay } from './recorded-host';

const byName = (list: HostContainer[], name: string, engine?: string) => {
  const c = list.find((x) => x.name === name && (!engine || x.engine === engine));
  if (!c) throw new Error(`no ${name} in ${list.map((x) => `${x.engine}:${x.name}`).join(', ')}`);
  return c;
};

describe('readHostContainers on a layout recorded from real engines (root reading)', () => {
  const layout = loadLayout('host-all-engines.json');
  const { containers } = readHostContainers({ files: replay(layout), viewerUid: 0 });

  it('names rootful Podman containers from conmon, with the image from containers.json', () => {
    const p1 = byName(containers, 'vsx-p1');
    expect(p1).toMatchObject({ engine: 'podman', image: 'localhost/vsx-bb:1', pod: null, infra: false, uid: 0 });
    expect(p1.id).toMatch(/^[0-9a-f]{64}$/);
    expect(p1.netns).toBeGreaterThan(0);
  });

  it('puts a Podman pod together: members and infra share the namespace, the pod named by the infra hostname', () => {
    const a = byName(containers, 'vsx-pa');
    const b = byName(containers, 'vsx-pb');
    const infra = containers.find((c) => c.engine === 'podman' && c.infra)!;
    expect(a.pod).toEqual({ name: 'vsx-pod', namespace: null });
    expect(b.pod).toEqual({ name: 'vsx-pod', namespace: null });
    expect(infra).toMatchObject({ pod: { name: 'vsx-pod', namespace: null }, image: 'localhost/podman-pause:4.3.1-0' });
    expect(infra.name).toMatch(/^[0-9a-f]{12}-infra$/);
    expect(new Set([a.netns, b.netns, infra.netns]).size).toBe(1);
  });

  it('names a containerd CRI pod from its task annotations: sandbox (infra) and container', () => {
    const web = byName(containers, 'web', 'containerd');
    const sandbox = containers.find((c) => c.engine === 'containerd' && c.infra)!;
    expect(web).toMatchObject({ id: 'web1', pod: { name: 'vsx-kpod', namespace: 'default' }, infra: false });
    expect(sandbox).toMatchObject({ id: 'sandbox1', name: 'vsx-kpod', pod: { name: 'vsx-kpod', namespace: 'default' } });
    expect(web.netns).toBe(sandbox.netns);
  });

  it("names Docker's moby task from Docker's own state folder (no API), compose labels included", () => {
    expect(byName(containers, 'vsx-dk1')).toMatchObject({ engine: 'docker', image: 'vethscope-test/busybox:1', compose: { project: 'vsxproj', service: 'dk' } });
  });

  it("leaves Docker's state files unread when asked (Docker's API names its containers)", () => {
    const files = replay(layout);
    const dk = readHostContainers({ files, viewerUid: 0, dockerStateFiles: false }).containers.find((c) => c.engine === 'docker')!;
    expect(dk.name).toBe(dk.id.slice(0, 12));
    expect(files.reads.filter((p) => p.endsWith('config.v2.json') || p.includes('/moby/') && p.endsWith('config.json'))).toEqual([]);
  });

  it('names LXC from its monitor and systemd-nspawn from -M', () => {
    expect(byName(containers, 'vsx-lxc1')).toMatchObject({ engine: 'lxc', id: 'vsx-lxc1', image: null });
    expect(byName(containers, 'vsx-nsp1')).toMatchObject({ engine: 'nspawn', id: 'vsx-nsp1' });
  });

  it("names another user's rootless containers from conmon only: root does not read that user's files", () => {
    const rl = byName(containers, 'vsx-rl1');
    expect(rl).toMatchObject({ engine: 'podman', uid: 1005, image: null });
  });
});

describe('readHostContainers for a user', () => {
  it('reads their own rootless containers fully (image from their containers.json)', () => {
    const { containers } = readHostContainers({ files: replay(loadLayout('podman-rootless-own.json')), viewerUid: 1005 });
    expect(containers.map((c) => [c.name, c.engine, c.image, c.uid])).toEqual([
      ['vsx-rl1', 'podman', 'localhost/vsx-bb:1', 1005],
      ['vsx-rl2', 'podman', 'localhost/vsx-bb:1', 1005],
    ]);
  });

  it("opens none of root's state files and still names containers from command lines and cgroups", () => {
    const files = replay(loadLayout('host-all-engines.json'));
    const { containers } = readHostContainers({ files, viewerUid: 1000 });
    expect(files.reads.filter((p) => !p.startsWith('/proc/'))).toEqual([]);
    expect(byName(containers, 'vsx-p1')).toMatchObject({ engine: 'podman', image: null });
    expect(containers.filter((c) => c.engine === 'containerd').map((c) => c.name).sort()).toEqual(['k8s.io/sandbox1', 'k8s.io/web1']);
    expect(byName(containers, 'vsx-lxc1').engine).toBe('lxc');
  });
});

describe('CRI-O, from a layout written to its conventions (CRI-O is not packaged here)', () => {
  const layout = loadLayout('crio-layout.json');
  const listing = readHostContainers({ files: replay(layout), viewerUid: 0 });
  const { containers } = listing;

  it('names the sandbox as its pod and the container by its Kubernetes name, with image and pod', () => {
    expect(byName(containers, 'nginx')).toMatchObject({ engine: 'cri-o', image: 'docker.io/library/nginx:1.25', pod: { name: 'web-7f9c', namespace: 'default' }, infra: false, netns: 4026540001 });
    expect(byName(containers, 'web-7f9c')).toMatchObject({ engine: 'cri-o', infra: true, pod: { name: 'web-7f9c', namespace: 'default' }, netns: 4026540001 });
  });

  it('names a container from its kubelet name when its config is not root-owned (and a host-network pod shares the host namespace)', () => {
    const ne = byName(containers, 'node-exporter');
    expect(ne).toMatchObject({ engine: 'cri-o', pod: { name: 'node-exporter-x2', namespace: 'kube-system' }, netns: 4026531833 });
    expect(byName(containers, 'node-exporter-x2')).toMatchObject({ infra: true, netns: 4026531833 });
  });

  it('returns names, ids, image and pod only: no environment, mount or other annotation leaves the namer', () => {
    const text = JSON.stringify(listing);
    for (const secret of ['hunter2', 'DB_PASSWORD', 'serviceaccount', 'last-applied', 'PLANTED', 'app']) expect(text).not.toContain(secret);
    for (const c of containers) expect(Object.keys(c).sort()).toEqual(['compose', 'engine', 'id', 'image', 'infra', 'name', 'netns', 'pid', 'pod', 'uid']);
  });
});
