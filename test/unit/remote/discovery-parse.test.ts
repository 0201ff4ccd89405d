import { describe, expect, it } from 'vitest';
import { parseDiscovery } from '../../../electron/backend/remote/discovery-parse';
import { buildTopology } from '../../../electron/backend/topology/build-topology';
import { listDockerContainers } from '../../../electron/engines/docker';
import { monotonicMs } from '../../../electron/util/clock';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const HOST = 4026531840;
const WEB = 4026532000;
const hostLinks = [
  { ifindex: 1, ifname: 'lo', link_type: 'loopback', operstate: 'UNKNOWN', addr_info: [] },
  { ifindex: 3, ifname: 'docker0', link_type: 'ether', linkinfo: { info_kind: 'bridge' }, operstate: 'UP', addr_info: [{ local: '10.227.1.1', prefixlen: 24 }] },
  { ifindex: 5, ifname: 'veth1a2b', link_type: 'ether', link_index: 2, link_netnsid: 0, master: 'docker0', linkinfo: { info_kind: 'veth' }, operstate: 'UP' },
];
const webLinks = [
  { ifindex: 1, ifname: 'lo', link_type: 'loopback' },
  { ifindex: 2, ifname: 'eth0', link_type: 'ether', link_index: 5, link_netnsid: 0, linkinfo: { info_kind: 'veth' }, addr_info: [{ local: '10.227.1.2', prefixlen: 24 }] },
];
const inspect = [{ Id: 'a'.repeat(64), Name: '/web', Image: 'sha', Config: { Image: 'busybox', Labels: {} }, State: { Status: 'running', Running: true, Pid: 42 }, HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { SandboxKey: '/var/run/docker/netns/abc', Networks: { bridge: { NetworkID: 'n1', IPAddress: '10.227.1.2', IPPrefixLen: 24, MacAddress: '02:42:0a:e3:01:02', Gateway: '10.227.1.1' } } } }];
const dev = 'Inter-|   Receive\n face |bytes    packets\n  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n';

function output(extra: string[] = [], hostname = 'alpha'): string {
  return [
    'vethscope-discovery 1',
    'uid 0',
    `hostname ${b64(hostname)}`,
    `hostns ${HOST}`,
    `sessionns ${HOST}`,
    `pids ${b64(`${HOST} 1\n${HOST} 7\n${WEB} 42\n`)}`,
    `links ${HOST} 1 ${b64(JSON.stringify(hostLinks))}`,
    `dev ${HOST} ${b64(dev)}`,
    `links ${WEB} 42 ${b64(JSON.stringify(webLinks))}`,
    `dev ${WEB} ${b64(dev)}`,
    `bind ${WEB} ${b64('/run/docker/netns/abc')}`,
    `dockerps ${b64('a'.repeat(64))}`,
    `inspect ${b64(JSON.stringify(inspect))}`,
    `networks ${b64('{"Name":"bridge","Driver":"bridge"}\n')}`,
    ...extra,
    'vethscope-end',
  ].join('\n');
}

describe('parseDiscovery', () => {
  it('gives the same topology build-topology makes locally: the container, its veth, its host peer', async () => {
    const d = parseDiscovery(output());
    expect(d.uid).toBe(0);
    expect(d.hostname).toBe('alpha');
    expect(d.sessionInode).toBe(HOST);
    expect(d.counters.get(WEB)!.get('eth0')).toMatchObject({ rxBytes: 1000, txPackets: 20 });
    const listing = await listDockerContainers(d.docker!, 'ssh://alpha');
    const topo = buildTopology(listing, d.scan, 'root', monotonicMs());
    const web = topo.containers.find((c) => c.name === 'web')!;
    expect(web.netns).toBe(WEB);
    expect(web.interfaces.find((i) => i.name === 'eth0')!.hostPeer).toBe('veth1a2b');
    expect(topo.namespaces.find((n) => n.inode === WEB)!.paths).toEqual(['/run/docker/netns/abc']);
  });

  it('treats what the remote prints as hostile: fake sections inside names, bad numbers, bad JSON, foreign paths', () => {
    const evilName = 'alpha\nhostns 1\n\u001b[31m';
    const d = parseDiscovery(
      output(
        [
          'hostns 12abc', // not a number: ignored (the real one came first and stays)
          `links 99x 1 ${b64('[')}`,
          `bind ${WEB} ${b64('/etc/shadow')}`, // not a namespace path: dropped
          `inspect ${b64('{not json')}`,
          `pids ${b64('1 -5\nabc def\n')}`,
        ],
        evilName,
      ),
    );
    expect(d.hostname).toBe('alpha\\x0ahostns 1\\x0a\\x1b[31m');
    expect(d.scan.hostInode).toBe(HOST);
    expect(d.scan.namespaces.find((n) => n.inode === WEB)!.paths).toEqual(['/run/docker/netns/abc']);
    expect(d.scan.warnings).toContain('docker inspect printed something that is not JSON');
  });

  it('refuses output that is not a whole discovery', () => {
    expect(() => parseDiscovery('Welcome to host!\n')).toThrow(/did not run vethscope's discovery/);
    expect(() => parseDiscovery(output().replace('vethscope-end', ''))).toThrow(/cut short/);
  });

  it('without root there, namespaces it could not enter say so; Docker failing is data', () => {
    const d = parseDiscovery(['vethscope-discovery 1', 'uid 1000', `hostns ${HOST}`, `pids ${b64(`${HOST} 1\n${WEB} 42\n`)}`, `links ${HOST} 1 ${b64(JSON.stringify(hostLinks))}`, `dockererr ${b64('permission denied while trying to connect to the Docker daemon socket')}`, 'vethscope-end'].join('\n'));
    expect(d.scan.privileged).toBe(false);
    expect(d.scan.namespaces.find((n) => n.inode === WEB)!.error).toMatch(/needs root/);
    expect(d.docker).toBeNull();
    expect(d.dockerError).toMatch(/permission denied/);
  });
});
