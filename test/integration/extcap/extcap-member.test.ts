// The extcap as a normal user would run Wireshark: a member of install-helper's group, not in
// the docker group, no terminal. Same helper and group rule as the app (no extra rule): the
// listing comes through the helper (only it reaches Docker's socket and root's engines), the
// capture too (sudo -n of the installed helper), and the file tshark writes is the user's.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelper, removeHelper } from '../../../electron/install/installer';
import { DOCKER_HOST, ipOf, removeSuiteContainers, runContainer } from '../../support/env';
import { ensureTestUser, type TestUser } from '../../support/users';
import { tsharkFields } from '../../support/tshark';
import { buildCheckout, installBlocker, type Checkout } from '../packaging/install-fixture';

const ROOT = resolve(__dirname, '../../..');
const SUITE = 'vsx-extcap-member';
const GROUP = 'vsx-wshark';
const A = 'vsxm-a';
const B = 'vsxm-b';

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (useradd, install-helper)';
  for (const t of ['sudo', 'visudo', 'setpriv', 'useradd', 'tshark']) if (spawnSync('which', [t]).status !== 0) return `${t} is not installed`;
  if (!(statSync('/usr/bin/sudo').mode & 0o4000)) return '/usr/bin/sudo is not setuid';
  return installBlocker();
}
const skip = whyNot();
if (skip) console.log(`[extcap-member] skipped: ${skip}`);

describe.skipIf(skip !== null)('the extcap for a member of the helper\'s group (not in the docker group)', () => {
  let work: string;
  let checkout: Checkout;
  let user: TestUser;
  let home: string;
  const env = () => ({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: home, USER: user.name, LOGNAME: user.name, DOCKER_HOST });
  const asUser = (argv: string[]) => ['setpriv', '--reuid', user.name, '--regid', user.name, '--init-groups', '--', '/usr/bin/env', '-i', ...Object.entries(env()).map(([k, v]) => `${k}=${v}`), ...argv];
  const runAs = (argv: string[]) => {
    const [cmd, ...args] = asUser(argv);
    return spawnSync(cmd!, args, { encoding: 'utf8', timeout: 90_000, cwd: '/tmp' });
  };

  beforeAll(async () => {
    work = mkdtempSync('/tmp/vsx-extcap-member-');
    chmodSync(work, 0o755);
    // A checkout of our own (the shared dist/ is everyone's to rebuild): the CLI, the helper, the extcap.
    checkout = buildCheckout(join(work, 'checkout'));
    buildSync({ bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'error', entryPoints: [resolve(ROOT, 'electron/front-doors/extcap/entry.ts')], outfile: join(checkout.dir, 'dist/extcap.cjs') });
    chmodSync(join(checkout.dir, 'dist/extcap.cjs'), 0o644);
    user = ensureTestUser('vsx-member');
    home = `/home/${user.name}`;
    expect(spawnSync('id', ['-nG', user.name], { encoding: 'utf8' }).stdout).not.toMatch(/\bdocker\b/);
    await installHelper({ group: GROUP, bundlePath: checkout.helper, version: '0.0.0-test' });
    execFileSync('usermod', ['-aG', GROUP, user.name]);
    removeSuiteContainers(SUITE);
    runContainer(SUITE, A);
    runContainer(SUITE, B);
  }, 180_000);

  afterAll(async () => {
    removeSuiteContainers(SUITE);
    await removeHelper().catch((e) => console.log(`[extcap-member] install-helper --remove: ${(e as Error).message}`));
    user?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('extcap install --user, then tshark -D lists the containers Docker refuses to show this user', () => {
    const cli = join(checkout.dir, 'dist/cli.cjs');
    const install = runAs([process.execPath, '-e', `require(${JSON.stringify(cli)}).runCli(process.argv.slice(1)).then((s) => (process.exitCode = s))`, 'extcap', 'install', '--user']);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toContain(`installed ${home}/.config/wireshark/extcap/vethscope`);
    const docker = runAs(['docker', '-H', DOCKER_HOST, 'ps']);
    expect(docker.status).not.toBe(0); // the user's own view: permission denied
    const list = runAs(['tshark', '-D']);
    expect(list.stdout).toMatch(new RegExp(`^\\d+\\. vethscope-${A} \\(vethscope: ${A} \\(docker\\)\\)$`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^\\d+\\. vethscope-${B} `, 'm'));
  });

  it("tshark -i vethscope-A captures A through the installed helper (sudo -n, no prompt); the file is the user's", async () => {
    const file = join(home, 'a.pcapng');
    const traffic = new Promise<void>((done) => spawn('docker', ['exec', A, 'ping', '-c', '30', '-i', '0.2', ipOf(B)], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' }).on('exit', () => done()));
    const [cmd, ...args] = asUser(['tshark', '-i', `vethscope-${A}`, '-a', 'duration:5', '-w', file]);
    const r = await new Promise<{ code: number | null; err: string }>((done) => {
      const child = spawn(cmd!, args, { cwd: '/tmp', stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('exit', (code) => done({ code, err }));
    });
    await traffic;
    expect(r.code, r.err).toBe(0);
    expect(statSync(file).uid).toBe(user.uid);
    const rows = tsharkFields(file, ['frame.interface_name', 'ip.src', 'icmp.type']);
    expect(rows.filter(([, src, type]) => src === ipOf(A) && type === '8').length).toBeGreaterThanOrEqual(5);
    expect(new Set(rows.map(([iface]) => iface!.replace(/ \(veth\w+\)$/, '')))).toEqual(new Set([`${A}/eth0`]));
  });
});
