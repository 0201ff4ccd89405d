// The terminal path end to end with the installed helper: install-helper puts it at
// /usr/lib/vethscope/vethscope-helper with a group rule; an unprivileged member of that
// group (vsh-user) starts it through `sudo -n` with no arguments, and it knows who asked.
// The client runs AS that user (setpriv), from an esbuild bundle of HelperClient, driven
// over JSON lines by this (root) test. Captures through this path: capture-sudo.test.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelper, removeHelper } from '../../../electron/install/installer';
import { HELPER_PATH, systemLayout } from '../../../electron/install/layout';
import { DOCKER_HOST, IMAGE, removeSuiteContainers, runContainer } from '../../support/env';
import { waitFor } from '../../support/poll';
import { buildCheckout, installBlocker, ROOT, type Checkout } from '../packaging/install-fixture';

const USER = 'vsh-user';
const GROUP = 'vsh-capture';
const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (useradd, install-helper)';
  for (const t of ['sudo', 'visudo', 'setpriv', 'useradd', 'gpasswd']) if (spawnSync('which', [t]).status !== 0) return `${t} is not installed`;
  if (!(statSync('/usr/bin/sudo').mode & 0o4000)) return '/usr/bin/sudo is not setuid';
  return installBlocker();
}
const skip = whyNot();
if (skip) console.log(`[sudo-path] skipped: ${skip}`);

/** argv prefix that runs a program as vsh-user (real and effective ids, its groups). */
const asUser = (argv: string[]) => ['setpriv', '--reuid', USER, '--regid', USER, '--init-groups', '--', ...argv];
const userEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: '/tmp', USER };
const runAsUser = (argv: string[], input?: string) => {
  const [cmd, ...args] = asUser(argv);
  // Bounded in time: sudo must never wait for a password here.
  return spawnSync(cmd!, args, { encoding: 'utf8', input, timeout: 20_000, env: userEnv, cwd: '/tmp' });
};

/** Every component from / to `file` is root's and not writable by anyone else (sticky dirs are fine). */
function onlyRootCanChange(file: string): string[] {
  const problems: string[] = [];
  for (let p = file; ; p = dirname(p)) {
    const st = lstatSync(p);
    if (st.uid !== 0) problems.push(`${p} is owned by uid ${st.uid}`);
    const sticky = st.isDirectory() && st.mode & 0o1000;
    if (st.mode & 0o022 && !sticky) problems.push(`${p} is writable by group or others`);
    if (p === '/') break;
  }
  return problems;
}

interface Reply {
  seq: number;
  ok: boolean;
  result?: any;
  error?: { code: string; message: string };
}

/** HelperClient running as vsh-user in its own node, one JSON line per command. */
class UserClient {
  private readonly child: ChildProcess;
  private seq = 0;
  private buf = '';
  readonly replies = new Map<number, Reply>();
  stderr = '';

  constructor(runner: string, cfg: object) {
    const [cmd, ...args] = asUser(['/usr/bin/node', runner, JSON.stringify(cfg)]);
    this.child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: userEnv, cwd: '/tmp' });
    this.child.stderr!.on('data', (c) => (this.stderr += c));
    this.child.stdout!.on('data', (c) => {
      this.buf += c;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        if (!('event' in m)) this.replies.set(m.seq, m);
      }
    });
  }

  async call(cmd: object, timeoutMs = 20_000): Promise<Reply> {
    const seq = ++this.seq;
    this.child.stdin!.write(JSON.stringify({ seq, ...cmd }) + '\n');
    try {
      return await waitFor(`a reply to ${JSON.stringify(cmd)}`, () => this.replies.get(seq), timeoutMs, 20);
    } catch {
      throw new Error(`no reply to ${JSON.stringify(cmd)}; client stderr: ${this.stderr}`);
    }
  }

  async end(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.end(); // the runner closes its HelperClient, the helper exits
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

const RUNNER = `'use strict';
const { HelperClient } = require('./client.cjs');
const cfg = JSON.parse(process.argv[2]);
const c = new HelperClient({ elevation: cfg.elevation, interactive: false, helperPath: cfg.helperPath, helloTimeoutMs: 15000 });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
async function handle(m) {
  try {
    let result;
    if (m.cmd === 'start') {
      await c.start();
      result = { identity: c.identity, mode: c.elevationMode, uid: process.getuid(), euid: process.geteuid(), gid: process.getgid() };
    } else if (m.cmd === 'request') result = await c.request(m.op, m.params);
    else throw new Error('unknown command ' + m.cmd);
    out({ seq: m.seq, ok: true, result });
  } catch (e) {
    out({ seq: m.seq, ok: false, error: { code: e.code, message: e.message } });
  }
}
let buf = '';
process.stdin.on('data', (ch) => {
  buf += ch;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    void handle(JSON.parse(line));
  }
});
process.stdin.on('end', () => c.close().then(() => process.exit(0)));
`;

describe.skipIf(skip !== null)('the installed helper through sudo -n, for a member of the group rule', () => {
  let uid: number;
  let gid: number;
  let createdUser = false;
  let work: string; // root's, 0755: bundles and the runner
  let userDir: string; // vsh-user's, 0700
  let checkout: Checkout;
  let client: UserClient;
  const cfg = () => ({ elevation: 'auto', helperPath: checkout.helper });

  beforeAll(async () => {
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      sh('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
      createdUser = true;
    }
    uid = Number(sh('id', ['-u', USER]));
    gid = Number(sh('id', ['-g', USER]));
    work = mkdtempSync('/tmp/vsu2-sudo-');
    chmodSync(work, 0o755);
    userDir = mkdtempSync('/tmp/vsu2-sudo-user-');
    chownSync(userDir, uid, gid);
    chmodSync(userDir, 0o700);
    checkout = buildCheckout(join(work, 'checkout'));
    // install-helper as an administrator would run it: the group is created, the user joins it.
    await installHelper({ group: GROUP, bundlePath: checkout.helper, version: '0.0.0-test' });
    sh('usermod', ['-aG', GROUP, USER]);
    // The client, bundled so the user needs no node_modules (nor the repo).
    buildSync({ entryPoints: [resolve(ROOT, 'electron/backend/helper-client/helper-client.ts')], outfile: join(work, 'client.cjs'), bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'error' });
    writeFileSync(join(work, 'runner.cjs'), RUNNER, { mode: 0o644 });
    chmodSync(join(work, 'client.cjs'), 0o644);
    client = new UserClient(join(work, 'runner.cjs'), cfg());
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    await removeHelper().catch((e) => console.log(`[sudo-path] install-helper --remove: ${e.message}`));
    for (const d of [work, userDir]) if (d) rmSync(d, { recursive: true, force: true });
    if (createdUser) spawnSync('userdel', [USER]);
  });

  it('the drop-in is valid, 0440, and lets the group run exactly the helper, with no arguments, which only root can change', () => {
    const st = statSync(systemLayout.sudoersPath);
    expect({ uid: st.uid, mode: st.mode & 0o777 }).toEqual({ uid: 0, mode: 0o440 });
    expect(spawnSync('visudo', ['-c']).status).toBe(0);
    const l = runAsUser(['/usr/bin/sudo', '-n', '-l']);
    expect(l.status, l.stderr).toBe(0);
    const commands = l.stdout.split('\n').filter((x) => /^\s+\(/.test(x)).map((x) => x.trim());
    expect(commands).toEqual([`(root) NOPASSWD: ${HELPER_PATH} ""`]);
    expect(onlyRootCanChange(HELPER_PATH)).toEqual([]);
    expect(onlyRootCanChange('/usr/bin/node')).toEqual([]);
  });

  it('HelperClient (auto, no terminal) as the member: sudo -n of the installed helper, a root helper that knows who asked', async () => {
    const r = await client.call({ cmd: 'start' });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result).toMatchObject({ mode: 'sudo', uid, euid: uid, gid });
    expect(r.result.identity).toMatchObject({ uid: 0, invokingUid: uid, invokingGid: gid });
  }, 30_000);

  it('sudo itself refuses the helper with any argument, the checkout\'s helper, node, or another user', () => {
    const hello = '{"id":1,"op":"hello","params":{}}\n';
    for (const argv of [
      ['/usr/bin/sudo', '-n', '--', HELPER_PATH, '--user', '0:0'],
      ['/usr/bin/sudo', '-n', '--', HELPER_PATH, '--dev-checkout'],
      ['/usr/bin/sudo', '-n', '--', '/usr/bin/node', HELPER_PATH],
      ['/usr/bin/sudo', '-n', '--', '/usr/bin/node', checkout.helper],
      ['/usr/bin/sudo', '-n', '-u', 'nobody', '--', HELPER_PATH],
    ]) {
      const r = runAsUser(argv, hello);
      expect(r.status, argv.join(' ')).toBe(1);
      expect(r.stdout).toBe(''); // our helper would have answered hello: it never ran
      expect(r.stderr).toMatch(/^sudo: (a password is required|sorry)/);
    }
    // The exact command runs (the rule is live): the difference is the arguments alone.
    const ok = runAsUser(['/usr/bin/sudo', '-n', '--', HELPER_PATH], hello);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.split('\n')[0]!)).toMatchObject({ id: 1, ok: true, result: { uid: 0, invokingUid: uid } });
  }, 60_000);

  it('a user the Docker socket refuses still sees containers, listed through the helper', async () => {
    const socket = DOCKER_HOST.replace(/^unix:\/\//, '');
    removeSuiteContainers('vsu2-dock');
    runContainer('vsu2-dock', 'vsu2-dock');
    try {
      const direct = runAsUser(['/usr/bin/node', '-e', `require('net').connect(${JSON.stringify(socket)}).on('error', (e) => console.log(e.code)).on('connect', () => { console.log('connected'); process.exit(0); })`]);
      expect(direct.stdout.trim()).toBe('EACCES');
      const r = await client.call({ cmd: 'request', op: 'listContainers', params: { socket } });
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
      const c = r.result.find((x: { name: string }) => x.name === 'vsu2-dock');
      expect(c).toMatchObject({ state: 'running', image: IMAGE });
      expect(Object.keys(c).sort()).toEqual(['compose', 'id', 'image', 'name', 'networkMode', 'networks', 'pid', 'sandboxKey', 'state']);
      // The whole CLI as that user, through the installed helper.
      const cli = runAsUserEnv(['/usr/bin/node', checkout.cli, 'topology', '--json'], { DOCKER_HOST });
      expect(cli.status, cli.stderr).toBe(0);
      const topo = JSON.parse(cli.stdout);
      expect(topo.warnings.join('\n')).toMatch(/through the privileged helper/);
      expect(topo.containers.find((x: { name: string }) => x.name === 'vsu2-dock')?.interfaces.find((i: { name: string }) => i.name === 'eth0')?.hostPeer).toMatch(/^veth/);
    } finally {
      removeSuiteContainers('vsu2-dock');
    }
  }, 60_000);

  it('the helper lists only a root-owned docker.sock in root\'s folders: not other files, not a socket the user made', async () => {
    const userSocket = join(userDir, 'docker.sock');
    const server = createServer().listen(userSocket);
    await new Promise((r) => server.once('listening', r));
    chownSync(userSocket, uid, gid);
    try {
      for (const [socket, code] of [
        ['/etc/passwd', 'INVALID_INPUT'],
        ['/run/vsu2-missing/docker.sock', 'NOT_FOUND'],
        [userSocket, 'PERMISSION_DENIED'],
      ] as const) {
        const r = await client.call({ cmd: 'request', op: 'listContainers', params: { socket } });
        expect(r.ok, socket).toBe(false);
        expect(r.error?.code, socket).toBe(code);
      }
    } finally {
      server.close();
    }
  });

  it('out of the group (no terminal): HELPER_REFUSED with sudo\'s words and the command that fixes it', async () => {
    sh('gpasswd', ['-d', USER, GROUP]);
    const fresh = new UserClient(join(work, 'runner.cjs'), cfg());
    try {
      const r = await fresh.call({ cmd: 'start' });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('HELPER_REFUSED');
      expect(r.error?.message).toMatch(/sudo refused to start the helper: .*password is required/);
      expect(r.error?.message).toContain(`sudo adduser ${USER} ${GROUP}`);
    } finally {
      await fresh.end();
    }
    // A helper started before is not affected.
    expect((await client.call({ cmd: 'request', op: 'hello', params: {} })).result).toMatchObject({ uid: 0, invokingUid: uid });
  }, 30_000);
});

function runAsUserEnv(argv: string[], env: Record<string, string>) {
  const [cmd, ...args] = asUser(argv);
  return spawnSync(cmd!, args, { encoding: 'utf8', timeout: 30_000, env: { ...userEnv, ...env }, cwd: '/tmp' });
}
