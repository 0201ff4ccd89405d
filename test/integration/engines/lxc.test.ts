// LXC 5 (busybox template, its own lxcpath, on the suite's own bridge): two containers
// named from their monitor, host veths checked against the kernel, veth NAME, capture NAME
// read back by tshark.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../support/env';
import { sleep, waitFor } from '../../support/poll';
import { buildCli } from '../discovery/cli-process';
import { allowBridge, captureByName, cli, discover, expectHostPeer, have, isRoot, named, pingFrom, run, tryRun } from './fixture';

const BRIDGE = 'vseng-lxcbr0';
const NAMES = ['vseng-lxc1', 'vseng-lxc2'] as const;
const ADDR = { 'vseng-lxc1': '10.241.4.11', 'vseng-lxc2': '10.241.4.12' } as const;
const ready = isRoot && have('lxc-create') && have('lxc-start') && have('tshark');

describe.skipIf(!ready)('LXC: busybox containers on their own bridge', () => {
  const lxcpath = mkdtempSync(join(tmpdir(), 'vseng-lxc-'));
  const env = testEnv();
  let disallow = () => undefined as void;
  const pid = (name: string) => Number(run('lxc-info', ['-P', lxcpath, '-n', name, '-p', '-H']));

  /** The busybox template's rcS runs udhcpc, which flushes eth0 as it starts: set the address once it has. */
  async function address(name: (typeof NAMES)[number]): Promise<void> {
    await waitFor(`${name} running its rcS`, () => tryRun('pgrep', ['-P', String(pid(name))]).status === 0, 15_000);
    for (let i = 0; i < 20; i++) {
      tryRun('nsenter', ['-t', String(pid(name)), '-n', 'ip', 'addr', 'replace', `${ADDR[name]}/24`, 'dev', 'eth0']);
      await sleep(500);
      if (run('nsenter', ['-t', String(pid(name)), '-n', 'ip', '-4', '-o', 'addr', 'show', 'eth0']).includes(ADDR[name])) return;
    }
    throw new Error(`${name}: its address did not stay`);
  }

  beforeAll(async () => {
    run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    run('ip', ['link', 'set', BRIDGE, 'up']);
    writeFileSync(join(lxcpath, 'default.conf'), `lxc.net.0.type = veth\nlxc.net.0.link = ${BRIDGE}\nlxc.net.0.flags = up\nlxc.apparmor.profile = unconfined\n`);
    for (const n of NAMES) {
      run('lxc-create', ['-P', lxcpath, '-n', n, '-t', 'busybox', '-f', join(lxcpath, 'default.conf')]);
      run('lxc-start', ['-P', lxcpath, '-n', n]);
    }
    for (const n of NAMES) await address(n);
    disallow = allowBridge(BRIDGE);
    buildCli();
  }, 120_000);

  afterAll(() => {
    for (const n of NAMES) {
      tryRun('lxc-stop', ['-P', lxcpath, '-n', n, '-k']);
      tryRun('lxc-destroy', ['-P', lxcpath, '-n', n]);
    }
    tryRun('ip', ['link', 'del', BRIDGE]);
    disallow();
    rmSync(lxcpath, { recursive: true, force: true });
  }, 60_000);

  it('names each container from its monitor and finds the host veth the kernel pairs it with', async () => {
    const topo = await discover();
    for (const n of NAMES) {
      const c = named(topo, n, 'lxc');
      expect(c).toMatchObject({ id: n, pod: null, state: 'running', image: '' });
      const peer = expectHostPeer(c, 'eth0', `/proc/${pid(n)}/ns/net`);
      expect(topo.namespaces.find((x) => x.isHost)!.interfaces.find((i) => i.name === peer)?.master).toBe(BRIDGE);
    }
    expect(topo.engines.find((e) => e.engine === 'lxc')).toMatchObject({ containers: 2, sources: ['host'] });
  });

  it('answers veth NAME and lxc:NAME, and draws them on their bridge', async () => {
    const topo = await discover();
    const peer = named(topo, 'vseng-lxc1', 'lxc').interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    expect(cli(['veth', 'vseng-lxc1'], env)).toMatchObject({ status: 0, stdout: `${peer}\n` });
    expect(cli(['veth', 'lxc:vseng-lxc1'], env)).toMatchObject({ status: 0, stdout: `${peer}\n` });
    const tree = cli(['topology'], env).stdout;
    expect(tree).toMatch(new RegExp(`${BRIDGE} \\[bridge\\][^\\n]*\\n(\\|   |    )[|\`]-- ${peer} \\[veth\\] <-> vseng-lxc1/eth0`));
    expect(tree).toContain('vseng-lxc1 [lxc] (netns');
  });

  it('captures a container by name, read back by tshark', async () => {
    const peer = named(await discover(), 'vseng-lxc1', 'lxc').interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const got = await captureByName(['vseng-lxc1'], 2, join(lxcpath, 'lxc1.pcapng'), env, () => pingFrom(pid('vseng-lxc2'), ADDR['vseng-lxc1'], 2));
    expect(got.status, got.stderr).toBe(0);
    expect(new Set(got.icmp.map((r) => r.iface))).toEqual(new Set([`vseng-lxc1/eth0 (${peer})`]));
    expect(got.icmp.some((r) => r.src === ADDR['vseng-lxc2'] && r.dst === ADDR['vseng-lxc1'])).toBe(true);
    expect(got.descriptions[0]).toContain('container vseng-lxc1 (lxc) id vseng-lxc1');
  });
});
