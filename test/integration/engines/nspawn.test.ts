// systemd-nspawn 252 (--network-veth, --register=no: no machined, no system D-Bus here):
// two machines named from nspawn's -M, their host ends ve-NAME checked against the kernel,
// veth NAME, capture NAME read back by tshark. Their host ends join the suite's own bridge so
// the two talk to each other, and only to each other.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../support/env';
import { waitFor } from '../../support/poll';
import { buildCli } from '../discovery/cli-process';
import { allowBridge, busyboxRoot, captureByName, cli, discover, expectHostPeer, have, isRoot, named, pingFrom, run, tryRun } from './fixture';

const BRIDGE = 'vseng-nspbr0';
const MACHINES = { 'vseng-nsp1': '10.241.5.11', 'vseng-nsp2': '10.241.5.12' } as const;
type Machine = keyof typeof MACHINES;
const ready = isRoot && have('systemd-nspawn') && have('tshark');

describe.skipIf(!ready)('systemd-nspawn machines with --network-veth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vseng-nspawn-'));
  const env = testEnv();
  const nspawns = new Map<Machine, ChildProcess>();
  let disallow = () => undefined as void;
  /** The machine's PID 1: nspawn's child. */
  const pid = (m: Machine) => Number(run('pgrep', ['-P', String(nspawns.get(m)!.pid)]).split('\n')[0]);

  beforeAll(async () => {
    run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    run('ip', ['link', 'set', BRIDGE, 'up']);
    for (const m of Object.keys(MACHINES) as Machine[]) {
      const root = busyboxRoot(join(dir, m), { osRelease: true });
      nspawns.set(m, spawn('systemd-nspawn', ['--register=no', '--keep-unit', '-q', '-D', root, '-M', m, '--network-veth', '/bin/sleep', '100000'], { stdio: 'ignore', detached: true }));
    }
    for (const m of Object.keys(MACHINES) as Machine[]) {
      await waitFor(`${m} and its ve-${m}`, () => tryRun('pgrep', ['-P', String(nspawns.get(m)!.pid)]).status === 0 && tryRun('ip', ['link', 'show', `ve-${m}`]).status === 0, 20_000);
      run('ip', ['link', 'set', `ve-${m}`, 'master', BRIDGE, 'up']);
      run('nsenter', ['-t', String(pid(m)), '-n', 'ip', 'addr', 'add', `${MACHINES[m]}/24`, 'dev', 'host0']);
      run('nsenter', ['-t', String(pid(m)), '-n', 'ip', 'link', 'set', 'host0', 'up']);
    }
    disallow = allowBridge(BRIDGE);
    buildCli();
  }, 120_000);

  afterAll(async () => {
    for (const p of nspawns.values()) if (p.pid) tryRun('kill', [String(p.pid)]);
    await Promise.all([...nspawns.values()].map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r)))));
    tryRun('ip', ['link', 'del', BRIDGE]);
    disallow();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('names each machine from -M, with ve-NAME as its host peer, as the kernel pairs them', async () => {
    const topo = await discover();
    for (const m of Object.keys(MACHINES) as Machine[]) {
      const c = named(topo, m, 'nspawn');
      expect(c).toMatchObject({ id: m, state: 'running', pod: null });
      expect(expectHostPeer(c, 'host0', `/proc/${pid(m)}/ns/net`)).toBe(`ve-${m}`);
    }
  });

  it('answers veth NAME and nspawn:NAME, and the tree names the machine', async () => {
    expect(cli(['veth', 'vseng-nsp1'], env)).toMatchObject({ status: 0, stdout: 've-vseng-nsp1\n' });
    expect(cli(['veth', 'nspawn:vseng-nsp2'], env)).toMatchObject({ status: 0, stdout: 've-vseng-nsp2\n' });
    const tree = cli(['topology'], env).stdout;
    expect(tree).toContain('ve-vseng-nsp1 [veth] <-> vseng-nsp1/host0');
    expect(tree).toContain('vseng-nsp1 [nspawn] (netns');
  });

  it('captures a machine by name, read back by tshark', async () => {
    const got = await captureByName(['vseng-nsp1'], 2, join(dir, 'nsp1.pcapng'), env, () => pingFrom(pid('vseng-nsp2'), MACHINES['vseng-nsp1'], 2));
    expect(got.status, got.stderr).toBe(0);
    expect(new Set(got.icmp.map((r) => r.iface))).toEqual(new Set(['vseng-nsp1/host0 (ve-vseng-nsp1)']));
    expect(got.icmp.some((r) => r.src === MACHINES['vseng-nsp2'] && r.dst === MACHINES['vseng-nsp1'])).toBe(true);
    expect(got.descriptions[0]).toContain('container vseng-nsp1 (nspawn) id vseng-nsp1');
  });
});
