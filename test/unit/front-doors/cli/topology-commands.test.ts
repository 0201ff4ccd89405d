import { afterEach, describe, expect, it } from 'vitest';
import { Backend } from '../../../../electron/backend/backend';
import type { CliIo } from '../../../../electron/front-doors/cli/io';
import { runCli } from '../../../../electron/front-doors/cli/main';
import { vethCommand } from '../../../../electron/front-doors/cli/topology-commands';
import { Topology } from '../../../../shared/topology';
import { findContainer } from '../../../../electron/backend/topology/find-container';
import { container, iface, smallTopology } from '../../topology-fixtures';

function fakeIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

function backendWith(topo: Topology): Backend {
  const b = new Backend();
  b.handle('getTopology', async () => topo);
  b.handle('findContainer', async ({ query }) => findContainer(topo, query));
  return b;
}

/** vethCommand's outcome as (status, stdout, stderr), the way runCli reports it. */
async function veth(topo: Topology, query: string | undefined) {
  const io = fakeIo();
  try {
    await vethCommand(backendWith(topo), query, io);
    return { status: 0, out: io.stdout.join(''), err: '' };
  } catch (e) {
    return { status: (e as { status: number }).status, out: io.stdout.join(''), err: (e as Error).message };
  }
}

describe('vethscope veth', () => {
  it('prints one host interface per line', async () => {
    const t = smallTopology();
    t.containers[0]!.interfaces.push(iface('eth1', { hostPeer: 'veth2b', peer: { netns: 1, name: 'veth2b' } }));
    expect(await veth(t, 'web')).toEqual({ status: 0, out: 'veth1a\nveth2b', err: '' });
  });

  it('exits 2 with a clear message for an unknown or ambiguous container', async () => {
    expect(await veth(smallTopology(), 'nosuch')).toEqual({ status: 2, out: '', err: 'veth: no container named or with id starting "nosuch"' });
    const t = smallTopology();
    t.containers = [container('api-1', { id: '1' }), container('api-2', { id: '2' })];
    expect(await veth(t, 'api')).toMatchObject({ status: 2, err: 'veth: "api" matches 2 containers: api-1 (1), api-2 (2)' });
  });

  it('explains stopped, host-network and macvlan containers instead of printing nothing', async () => {
    expect((await veth(smallTopology(), 'old')).err).toMatch(/is exited/);
    const t = smallTopology();
    t.containers = [
      container('hostnet', { netns: 1, hostNetwork: true, interfaces: [iface('eth0', { kind: 'physical' })] }),
      container('mv', { interfaces: [iface('eth0', { kind: 'macvlan', parent: { netns: 1, name: 'eth0' } })] }),
    ];
    expect((await veth(t, 'hostnet')).err).toMatch(/host network/);
    expect((await veth(t, 'mv')).err).toMatch(/eth0 is macvlan.*capture inside its namespace/);
  });
});

describe('runCli', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('topology --json prints JSON the shared zod schema accepts, even without Docker', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/vsd-unit.sock';
    const io = fakeIo();
    expect(await runCli(['topology', '--json'], io)).toBe(0);
    const topo = Topology.parse(JSON.parse(io.stdout.join('')));
    expect(topo.docker).toMatchObject({ available: false, error: { code: 'DOCKER_UNAVAILABLE' } });
    expect(topo.namespaces.some((n) => n.isHost && n.inode === topo.hostNetns)).toBe(true);
  }, 30_000);

  it('rejects unknown commands and options with status 2', async () => {
    const io = fakeIo();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.stderr.join('')).toMatch(/unknown command "frobnicate"/);
    expect(await runCli(['topology', '--bogus'], fakeIo())).toBe(2);
  });

  it('veth without a container prints usage and exits 2', async () => {
    const io = fakeIo();
    expect(await runCli(['veth'], io)).toBe(2);
    expect(io.stderr.join('')).toMatch(/usage: vethscope veth CONTAINER/);
  });
});
