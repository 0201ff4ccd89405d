// Wireshark's extcap with Debian's real tshark: `vethscope extcap install --user` (HOME a
// temporary folder, so tshark reads its folders from there), then tshark lists and
// captures the suite's containers through it, live, as Wireshark would.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipOf, isRoot, removeSuiteContainers, runContainer, SKIP_REASON, tempDir, testEnv } from '../../support/env';
import { alive, sleep, waitFor } from '../../support/poll';
import { capinfos, tsharkFields } from '../../support/tshark';
import { parseWiresharkFolders } from '../../../electron/util/wireshark-extcap';

const SUITE = 'vsx-extcap';
const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'bin/vethscope.cjs');
const A = 'vsxt-a';
const B = 'vsxt-b';
const C = 'vsxt-c';

/** Bounded ICMP between our own containers, running while tshark captures. */
function pingFor(from: string, toIp: string, seconds: number): Promise<void> {
  return new Promise((done) => {
    const child = spawn('docker', ['exec', from, 'ping', '-c', String(seconds * 5), '-i', '0.2', '-W', '1', toIp], { env: testEnv(), stdio: 'ignore' });
    child.on('exit', () => done());
  });
}

function run(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => (clearTimeout(t), done({ code, out, err })));
  });
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* exited */
    }
  }
  return out;
}

const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [c, ...descendants(c)]);
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};

describe.skipIf(!isRoot)(`Wireshark extcap with tshark (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let home: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let ip: Record<string, string>;
  let vethOfA: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    removeSuiteContainers(SUITE);
    for (const n of [A, B, C]) runContainer(SUITE, n);
    ip = { [A]: ipOf(A), [B]: ipOf(B), [C]: ipOf(C) };
    home = tempDir('vsx-extcap-home-');
    // No XDG_RUNTIME_DIR: the listing's cache lives in this HOME too, and goes with it.
    env = { ...testEnv(), HOME: home.dir, XDG_RUNTIME_DIR: '', XDG_CONFIG_HOME: '' };
    const list = JSON.parse(execFileSync(process.execPath, [BIN, 'topology', '--json'], { env, encoding: 'utf8' })) as { containers: Array<{ name: string; interfaces: Array<{ name: string; hostPeer: string | null }> }> };
    vethOfA = list.containers.find((c) => c.name === A)!.interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
  });
  afterAll(() => {
    removeSuiteContainers(SUITE);
    home?.remove();
  });

  it('extcap install --user puts the launcher in the folder tshark -G folders names for this HOME', () => {
    const r = spawnSync(process.execPath, [BIN, 'extcap', 'install', '--user'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const personal = parseWiresharkFolders(execFileSync('tshark', ['-G', 'folders'], { env, encoding: 'utf8' })).personal!;
    expect(personal.startsWith(home.dir)).toBe(true);
    expect(r.stdout).toContain(`installed ${join(personal, 'vethscope')}`);
    expect(existsSync(join(personal, 'vethscope'))).toBe(true);
  });

  it('tshark -D lists the project\'s containers (named as vethscope names them) and the multi-container interface', () => {
    const out = execFileSync('tshark', ['-D'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const n of [A, B, C]) expect(out).toMatch(new RegExp(`^\\d+\\. vethscope-${n} \\(vethscope: ${n} \\(docker\\)\\)$`, 'm'));
    expect(out).toMatch(/^\d+\. vethscope \(vethscope: several containers/m);
  });

  it('tshark -i vethscope-A -a duration:6 records A\'s echo requests and none of another container\'s, on an interface named after A', async () => {
    const file = home.path('a.pcapng');
    const traffic = Promise.all([pingFor(A, ip[B]!, 10), pingFor(C, ip[B]!, 10)]);
    const r = await run(['tshark', '-i', `vethscope-${A}`, '-a', 'duration:6', '-w', file], env);
    await traffic;
    expect(r.code, r.err).toBe(0);
    const rows = tsharkFields(file, ['frame.interface_name', 'ip.src', 'ip.dst', 'icmp.type']);
    const requests = rows.filter(([, src, dst, type]) => src === ip[A] && dst === ip[B] && type === '8');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    expect(rows.filter(([, src, dst]) => src === ip[C] || dst === ip[C])).toEqual([]);
    expect(new Set(rows.map(([iface]) => iface))).toEqual(new Set([`${A}/eth0 (${vethOfA})`]));
  });

  it('the multi-container interface with -o extcap.vethscope.containers:A,B records both into one file', async () => {
    const file = home.path('ab.pcapng');
    const traffic = Promise.all([pingFor(A, ip[C]!, 10), pingFor(B, ip[C]!, 10)]);
    const r = await run(['tshark', '-i', 'vethscope', '-o', `extcap.vethscope.containers:${A},${B}`, '-a', 'duration:6', '-w', file], env);
    await traffic;
    expect(r.code, r.err).toBe(0);
    const rows = tsharkFields(file, ['frame.interface_name', 'ip.src', 'icmp.type']);
    const names = [...new Set(rows.map(([iface]) => iface!))].sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(new RegExp(`^${A}/eth0 \\(veth`));
    expect(names[1]).toMatch(new RegExp(`^${B}/eth0 \\(veth`));
    for (const n of [A, B]) expect(rows.some(([iface, src, type]) => iface!.startsWith(`${n}/`) && src === ip[n] && type === '8')).toBe(true);
  });

  it("-f icmp arrives as the capture filter (only ICMP recorded, the interface block says so)", async () => {
    const file = home.path('icmp.pcapng');
    // UDP beside the pings: the filter keeps it out.
    const udp = spawn('docker', ['exec', A, 'sh', '-c', `for i in $(seq 40); do echo x | nc -u -w 1 ${ip[B]} 9999; sleep 0.2; done`], { env: testEnv(), stdio: 'ignore' });
    const traffic = pingFor(A, ip[B]!, 10);
    const r = await run(['tshark', '-i', `vethscope-${A}`, '-f', 'icmp', '-a', 'duration:5', '-w', file], env);
    udp.kill();
    await traffic;
    expect(r.code, r.err).toBe(0);
    const protos = tsharkFields(file, ['ip.proto']).map(([p]) => p);
    expect(protos.length).toBeGreaterThan(0);
    expect(new Set(protos)).toEqual(new Set(['1']));
    const info = execFileSync('capinfos', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Filter string = icmp/);
    expect(capinfos(file).get('Number of interfaces in file')).toBe('1');
  });

  it('a bad filter fails with a message, promptly; Wireshark\'s filter check gets the same words', async () => {
    const t0 = Date.now();
    const r = await run(['tshark', '-i', `vethscope-${A}`, '-f', 'tcp port nonsense', '-a', 'duration:5', '-w', home.path('bad.pcapng')], env, 60_000);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/vethscope: bad filter "tcp port nonsense": .*\[BAD_FILTER\]/);
    expect(Date.now() - t0).toBeLessThan(30_000); // not Wireshark's hard kill: it ended because we said why
    const check = spawnSync(process.execPath, [join(ROOT, 'dist/extcap.cjs'), '--extcap-interface', `vethscope-${A}`, '--extcap-capture-filter', 'tcp port nonsense'], { env, encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/^bad filter "tcp port nonsense"/);
    const good = spawnSync(process.execPath, [join(ROOT, 'dist/extcap.cjs'), '--extcap-interface', `vethscope-${A}`, '--extcap-capture-filter', 'icmp'], { env, encoding: 'utf8' });
    expect(good.stdout).toBe('');
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)('tshark killed (%s): no helper, tcpdump or dumpcap of ours left within 2 s', async (signal) => {
    const tshark = spawn('tshark', ['-i', `vethscope-${A}`, '-w', home.path(`kill-${signal}.pcapng`)], { env, stdio: 'ignore' });
    // Ours: the extcap tshark started, everything below it, and tshark's dumpcap reading our FIFO.
    const tree = await waitFor(
      'the extcap capture with its helper and tcpdump',
      () => {
        const all = descendants(tshark.pid!);
        const tcpdump = all.find((p) => cmdline(p)[0]?.endsWith('tcpdump') && cmdline(p).includes(vethOfA));
        return tcpdump && all.some((p) => cmdline(p).includes('--capture')) ? all : null;
      },
      60_000,
      200,
    );
    expect(tree.some((p) => cmdline(p).some((a) => a.endsWith('helper.cjs')))).toBe(true);
    const fifos = [...new Set(tree.flatMap((p) => cmdline(p).filter((a) => a.startsWith(`/tmp/wireshark_extcap_vethscope-${A}`))))];
    tshark.kill(signal);
    const t0 = Date.now();
    while (Date.now() - t0 < 2000 && tree.some(alive)) await sleep(100);
    const left = tree.filter(alive).map((p) => `${p}: ${cmdline(p).join(' ').slice(0, 120)}`);
    // tshark killed hard leaves its FIFO behind (it would have removed it): ours to take away.
    for (const f of fifos) rmSync(f, { force: true });
    expect(left).toEqual([]);
  });
});
