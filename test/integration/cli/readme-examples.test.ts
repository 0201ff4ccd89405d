// README.md's Command line examples, run as written (issue 14: its example used a compose
// service name the CLI did not accept, and `npx vethscope` outside the checkout asks the npm
// registry for a package that is not published). `vethscope` comes from `npm link` into a
// private prefix, the way the README says; each line runs through bash (quotes, ~) against a
// compose v2 project with services web and db, web talking to db on 5432 by name.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerTry, isRoot, removeSuiteContainers, runContainer, SKIP_REASON, TEST_LABEL, tempDir, testEnv } from '../../support/env';

const ROOT = path.resolve(__dirname, '../../..');
const SUITE = 'readme-examples';
const NET = 'shop_default';
const home = tempDir('vsu-readme-');
const compose = (service: string) => ['--label', 'com.docker.compose.project=shop', '--label', `com.docker.compose.service=${service}`, '--network', NET, '--network-alias', service];

/** The runnable lines of the README's Command line block. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 5));
  const block = section.slice(section.indexOf('```sh') + 5, section.indexOf('```', section.indexOf('```sh') + 5));
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('vethscope '));
}

const env = () => ({ ...testEnv(), HOME: home.dir, PATH: `${home.path('npm/bin')}:${process.env.PATH}` });
const run = (line: string, timeoutMs = 60_000) => spawnSync('bash', ['-c', line], { cwd: home.dir, env: env(), encoding: 'utf8', timeout: timeoutMs });

beforeAll(() => {
  if (!isRoot) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  // The README's way to have `vethscope` anywhere, into a private prefix (scripts: the build is done).
  execFileSync('npm', ['link', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: ROOT, env: { ...process.env, NPM_CONFIG_PREFIX: home.path('npm') }, stdio: 'inherit' });
  removeSuiteContainers(SUITE);
  dockerTry('network', 'rm', NET);
  docker('network', 'create', '--label', `${TEST_LABEL}=${SUITE}`, '--label', 'com.docker.compose.project=shop', NET);
  runContainer(SUITE, 'shop-db-1', compose('db'), undefined, ['sh', '-c', 'while true; do nc -l -p 5432 </dev/null >/dev/null; done']);
  runContainer(SUITE, 'shop-web-1', compose('web'), undefined, ['sh', '-c', 'while true; do echo hi | nc -w 1 db 5432 >/dev/null; sleep 0.1; done']);
}, 180_000);

afterAll(() => {
  if (isRoot) {
    removeSuiteContainers(SUITE);
    dockerTry('network', 'rm', NET);
  }
  home.remove();
});

describe.skipIf(!isRoot)('README Command line examples', () => {
  const commands = readmeCommands();
  const line = (start: string) => {
    const l = commands.find((c) => c.startsWith(start));
    if (!l) throw new Error(`README has no example starting "${start}"; it has: ${commands.join(' | ')}`);
    return l;
  };

  it('the block holds the examples this test runs', () => {
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const c of commands) expect(run(`${c.split(' ').slice(0, 2).join(' ')} --help`).status, c).toBe(0);
  });

  it('topology and veth web: the service name finds shop-web-1 and its host veth', () => {
    const topo = run(line('vethscope topology'));
    expect(topo.status, topo.stderr).toBe(0);
    expect(topo.stdout).toContain('shop-web-1');
    const veth = run(line('vethscope veth '));
    expect(veth.status, veth.stderr).toBe(0);
    const hostVeth = veth.stdout.trim();
    const inner = docker('exec', 'shop-web-1', 'cat', '/sys/class/net/eth0/iflink');
    expect(readFileSync(`/sys/class/net/${hostVeth}/ifindex`, 'utf8').trim()).toBe(inner);
  });

  it('capture web db --filter ... --count 20 -o web-db.pcapng: 20 packets of both, in one file', () => {
    const r = run(line('vethscope capture web db'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(home.dir, 'web-db.pcapng'));
    const rows = execFileSync('tshark', ['-n', '-r', home.path('web-db.pcapng'), '-T', 'fields', '-e', 'frame.interface_name', '-e', 'tcp.port'], { encoding: 'utf8' }).trim().split('\n');
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(new Set(rows.map((x) => x.split('\t')[0]!.split('/')[0]))).toEqual(new Set(['shop-web-1', 'shop-db-1']));
    for (const x of rows) expect(x.split('\t')[1]).toContain('5432');
  });

  it('capture web --iface eth0 --iface lo --follow --duration 5: its DNS lookups on lo, into ~/vethscope-captures', () => {
    const r = run(line('vethscope capture web --iface'));
    expect(r.status, r.stderr).toBe(0);
    const file = r.stdout.trim();
    expect(path.dirname(file)).toBe(path.join(home.dir, 'vethscope-captures'));
    expect(readdirSync(path.dirname(file))).toContain(path.basename(file));
    const names = execFileSync('tshark', ['-n', '-r', file, '-Y', 'dns', '-T', 'fields', '-e', 'frame.interface_name', '-e', 'dns.qry.name'], { encoding: 'utf8' });
    expect(names).toMatch(/^shop-web-1\/lo \(.*\)\tdb$/m);
  });

  it('top --samples 3 prints three tables; doctor reports', () => {
    const top = run(line('vethscope top'));
    expect(top.status, top.stderr).toBe(0);
    expect(top.stdout).toContain('shop-web-1');
    const doctor = run(line('vethscope doctor'));
    expect([0, 1]).toContain(doctor.status);
    expect(doctor.stdout).toMatch(/^Helper/m);
  });

  it('serve prints a link and Ctrl+C (SIGINT) stops it cleanly', async () => {
    const child = spawn('bash', ['-c', `exec ${line('vethscope serve')}`], { cwd: home.dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const closed = new Promise<number | null>((r) => child.once('close', r));
    for (let i = 0; i < 300 && !/Ctrl\+C stops/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#ticket=/m);
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(out).toContain('SIGINT: shutting down');
  });

  it('npx vethscope works inside the checkout (outside it, the README says npm link)', () => {
    const r = spawnSync('npx', ['--offline', 'vethscope', '--help'], { cwd: ROOT, env: testEnv(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: vethscope/);
  });
});

if (!isRoot) console.log(`[readme-examples] skipped: ${SKIP_REASON}`);
