// The terminal path end to end: an unprivileged user (vsh-user) starts the
// helper through `sudo -n` with exactly the rule build/sudoers.example
// describes, captures into their own directory, and gets files that are theirs.
// The client runs AS that user (setpriv), from an esbuild bundle of
// HelperClient, driven over JSON lines by this (root) test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelper, ROOT, sh, shTry, sleep, waitFor } from './helper-fixture';
import { createServer } from 'node:net';
import { docker, DOCKER_HOST, IMAGE, removeSuiteContainers, runContainer } from '../../support/env';

const USER = 'vsh-user';
const DROPIN = '/etc/sudoers.d/vethscope-test';
const NS = ['vsu2-a', 'vsu2-b'] as const;
const IF = ['vsu2-a0', 'vsu2-b0'] as const;
const ADDR = ['10.231.201.1', '10.231.201.2'] as const;

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (useradd, /etc/sudoers.d, namespaces)';
  for (const t of ['sudo', 'visudo', 'setpriv', 'useradd', 'tshark', 'tcpdump', 'busybox']) {
    if (shTry('which', [t]).status !== 0) return `${t} is not installed`;
  }
  if (!(statSync('/usr/bin/sudo').mode & 0o4000)) return '/usr/bin/sudo is not setuid';
  return null;
}
const skip = whyNot();
if (skip) console.log(`[sudo-path] skipped: ${skip}`);

/** argv prefix that runs a program as vsh-user (real and effective ids, its groups). */
const asUser = (argv: string[]) => ['setpriv', '--reuid', USER, '--regid', USER, '--init-groups', '--', ...argv];
const userEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: '/tmp' };
const runAsUser = (argv: string[], input?: string) => {
  const [cmd, ...args] = asUser(argv);
  return shTryIn(cmd!, args, input);
};
function shTryIn(cmd: string, args: string[], input?: string) {
  // Bounded in time: sudo must never wait for a password here.
  return spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000, env: userEnv, cwd: '/tmp' });
}

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
  readonly events: Array<{ event: string; data: any }> = [];
  stderr = '';

  constructor(runner: string, cfg: object) {
    const [cmd, ...args] = asUser([realpathSync(process.execPath), runner, JSON.stringify(cfg)]);
    this.child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: userEnv, cwd: '/tmp' });
    this.child.stderr!.on('data', (c) => (this.stderr += c));
    this.child.stdout!.on('data', (c) => {
      this.buf += c;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        if ('event' in m) this.events.push(m);
        else this.replies.set(m.seq, m);
      }
    });
  }

  async call(cmd: object, timeoutMs = 20_000): Promise<Reply> {
    const seq = ++this.seq;
    this.child.stdin!.write(JSON.stringify({ seq, ...cmd }) + '\n');
    try {
      return await waitFor(() => this.replies.get(seq), timeoutMs, 20);
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
const c = new HelperClient({ elevation: 'sudo', interactive: false, helperPath: cfg.helperPath, nodePath: cfg.nodePath, helloTimeoutMs: 15000 });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
for (const e of ['captureEnded', 'captureIfaceEnded']) c.on(e, (data) => out({ event: e, data }));
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

describe.skipIf(skip !== null)('helper through sudo -n as an unprivileged user', () => {
  let uid: number;
  let gid: number;
  let nodePath: string;
  let helperPath: string;
  let work: string; // root's, 0755: bundles, the runner, a root-only output dir
  let userDir: string; // vsh-user's, 0700: captures go here
  let helperCopyDir: string | null = null;
  let client: UserClient;
  let rule: string;
  const handle = (i: 0 | 1) => ({ inode: statSync(`/run/netns/${NS[i]}`).ino, path: `/run/netns/${NS[i]}` });
  const capture = (captureId: string, path: string) => ({
    cmd: 'request',
    op: 'startCapture',
    params: { captureId, ifaces: [{ netns: handle(0), iface: IF[0], label: `vsu2-sudo/${IF[0]}`, comment: '' }], filter: 'icmp', snaplen: 65535, format: 'pcapng', path, sectionComment: 'vsu2 sudo path', stop: {}, ring: null },
  });

  beforeAll(() => {
    if (shTry('id', ['-u', USER]).status !== 0) sh('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
    uid = Number(sh('id', ['-u', USER]));
    gid = Number(sh('id', ['-g', USER]));

    // Namespaces and a veth pair of our own.
    for (const n of NS) shTry('ip', ['netns', 'del', n]);
    for (const n of NS) sh('ip', ['netns', 'add', n]);
    sh('ip', ['link', 'add', IF[0], 'netns', NS[0], 'type', 'veth', 'peer', 'name', IF[1], 'netns', NS[1]]);
    for (const i of [0, 1] as const) {
      sh('ip', ['-n', NS[i], 'addr', 'add', `${ADDR[i]}/24`, 'dev', IF[i]]);
      sh('ip', ['-n', NS[i], 'link', 'set', IF[i], 'up']);
    }

    work = mkdtempSync('/tmp/vsu2-sudo-');
    chmodSync(work, 0o755);
    mkdirSync(join(work, 'rootonly'), { mode: 0o755 });
    userDir = mkdtempSync('/tmp/vsu2-sudo-user-');
    chownSync(userDir, uid, gid);
    chmodSync(userDir, 0o700);

    // The helper: dist/helper.cjs as sudoers.example says, when vsh-user can read it; else a root-owned copy.
    nodePath = realpathSync(process.execPath);
    helperPath = buildHelper();
    if (runAsUser(['/usr/bin/test', '-r', helperPath]).status !== 0) {
      helperCopyDir = mkdtempSync('/tmp/vsu2-helper-');
      chmodSync(helperCopyDir, 0o755);
      const copy = join(helperCopyDir, 'helper.cjs');
      copyFileSync(helperPath, copy);
      chmodSync(copy, 0o644);
      console.log(`[sudo-path] ${USER} cannot read ${helperPath}: using a copy at ${copy}`);
      helperPath = copy;
    }
    // The client, bundled so the user needs no node_modules (nor the repo).
    buildSync({ entryPoints: [resolve(ROOT, 'electron/backend/helper-client/helper-client.ts')], outfile: join(work, 'client.cjs'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
    writeFileSync(join(work, 'runner.cjs'), RUNNER, { mode: 0o644 });
    chmodSync(join(work, 'client.cjs'), 0o644);

    // The drop-in: validated before it goes live, mode 0440.
    rule = `${USER} ALL=(root) NOPASSWD: ${nodePath} ${helperPath}\n`;
    const candidate = join(work, 'sudoers-candidate');
    writeFileSync(candidate, `# vethscope test (sudo-path.test.ts); removed by the test\n${rule}`, { mode: 0o440 });
    sh('visudo', ['-cf', candidate]);
    copyFileSync(candidate, DROPIN);
    chmodSync(DROPIN, 0o440);
    chownSync(DROPIN, 0, 0);
    sh('visudo', ['-c']); // the whole configuration still parses

    client = new UserClient(join(work, 'runner.cjs'), { helperPath, nodePath });
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    rmSync(DROPIN, { force: true });
    for (const n of NS) shTry('ip', ['netns', 'del', n]);
    for (const d of [work, userDir, helperCopyDir]) if (d) rmSync(d, { recursive: true, force: true });
    rmSync('/root/vsu2-x.pcapng', { force: true }); // only if a broken helper made it
  });

  it('the drop-in is valid, 0440, and lets vsh-user run exactly node + the helper, which only root can change', () => {
    const st = statSync(DROPIN);
    expect(st.mode & 0o777).toBe(0o440);
    expect(st.uid).toBe(0);
    expect(shTry('visudo', ['-cf', DROPIN]).status).toBe(0);
    const l = runAsUser(['/usr/bin/sudo', '-n', '-l']);
    expect(l.status, l.stderr).toBe(0);
    const commands = l.stdout.split('\n').filter((x) => /^\s+\(/.test(x)).map((x) => x.trim());
    expect(commands).toEqual([`(root) NOPASSWD: ${nodePath} ${helperPath}`]);
    // Anyone who could rewrite the helper (or a directory above it) would be root through this rule.
    expect(onlyRootCanChange(helperPath)).toEqual([]);
    expect(onlyRootCanChange(nodePath)).toEqual([]);
  });

  it('HelperClient (elevation sudo, non-interactive) as vsh-user: a root helper that knows who asked', async () => {
    const r = await client.call({ cmd: 'start' });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result).toMatchObject({ mode: 'sudo', uid, euid: uid, gid });
    expect(r.result.identity).toMatchObject({ uid: 0, invokingUid: uid, invokingGid: gid });
    const hello = await client.call({ cmd: 'request', op: 'hello', params: {} });
    expect(hello.result).toMatchObject({ version: 1, uid: 0, invokingUid: uid, invokingGid: gid });
  }, 30_000);

  it('captures a bounded ping into the user\'s directory; the file is theirs and tshark reads every packet', async () => {
    const path = join(userDir, 'ping.pcapng');
    const id = `vsu2-sudo-${process.pid}-1`;
    const started = await client.call(capture(id, path));
    expect(started.ok, JSON.stringify(started.error)).toBe(true);
    expect(started.result.files).toEqual([path]);
    const r = shTry('ip', ['netns', 'exec', NS[0], 'busybox', 'ping', '-q', '-c', '5', '-i', '0.2', '-W', '1', ADDR[1]]);
    expect(r.status, r.stderr).toBe(0);
    await sleep(1300);
    const fin = await client.call({ cmd: 'request', op: 'stopCapture', params: { captureId: id } });
    expect(fin.ok, JSON.stringify(fin.error)).toBe(true);
    expect(fin.result).toMatchObject({ reason: 'user', error: null, packets: 10 }); // 5 requests + 5 replies on one end
    await waitFor(() => client.events.find((e) => e.event === 'captureEnded' && e.data.captureId === id), 5000);

    const st = statSync(path);
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid, gid, mode: 0o640 });
    expect(readdirSync(userDir)).toEqual(['ping.pcapng']);
    // Read by tshark as the user: the file is theirs to open.
    const t = runAsUser(['/usr/bin/tshark', '-n', '-r', path, '-T', 'fields', '-e', 'frame.interface_name']);
    expect(t.status, t.stderr).toBe(0);
    const frames = t.stdout.split('\n').filter(Boolean);
    expect(frames.length).toBe(fin.result.packets);
    expect(new Set(frames)).toEqual(new Set([`vsu2-sudo/${IF[0]}`]));
  }, 30_000);

  it('a path the user cannot write is PERMISSION_DENIED and no file appears', async () => {
    const rootOnly = join(work, 'rootonly', 'x.pcapng');
    for (const [n, path] of [
      [2, '/root/vsu2-x.pcapng'],
      [3, rootOnly],
    ] as const) {
      const r = await client.call(capture(`vsu2-sudo-${process.pid}-${n}`, path));
      expect(r.ok).toBe(false);
      expect(r.error?.code, r.error?.message).toBe('PERMISSION_DENIED');
      expect(r.error?.message).toContain(path);
      expect(existsSync(path)).toBe(false);
    }
    // Not a missing directory: root (the helper's own uid) could have written there.
    writeFileSync(rootOnly, '');
    rmSync(rootOnly);
    // The helper is still there and still answers.
    expect((await client.call({ cmd: 'request', op: 'hello', params: {} })).ok).toBe(true);
  }, 30_000);

  it('sudo itself refuses the helper with other arguments, another script, or another user', () => {
    const hello = '{"id":1,"op":"hello","params":{}}\n';
    for (const argv of [
      ['/usr/bin/sudo', '-n', '--', nodePath, helperPath, '--user', '0:0'],
      ['/usr/bin/sudo', '-n', '--', nodePath, join(work, 'runner.cjs')],
      ['/usr/bin/sudo', '-n', '-u', 'nobody', '--', nodePath, helperPath],
    ]) {
      const r = runAsUser(argv, hello);
      expect(r.status, argv.join(' ')).toBe(1);
      expect(r.stdout).toBe(''); // our helper would have answered hello: it never ran
      expect(r.stderr).toMatch(/^sudo: (a password is required|sorry)/);
    }
    // The exact command runs (the rule is live): the difference is the arguments alone.
    const ok = runAsUser(['/usr/bin/sudo', '-n', '--', nodePath, helperPath], hello);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.split('\n')[0]!)).toMatchObject({ id: 1, ok: true, result: { uid: 0, invokingUid: uid } });
  }, 60_000);

  it('a user the Docker socket refuses still sees containers, listed through the helper', async () => {
    const socket = DOCKER_HOST.replace(/^unix:\/\//, '');
    removeSuiteContainers('vsu2-dock');
    runContainer('vsu2-dock', 'vsu2-dock');
    try {
      // The user's own process is refused by the socket (not in the docker group)...
      const direct = runAsUser([nodePath, '-e', `require('net').connect(${JSON.stringify(socket)}).on('error', (e) => console.log(e.code)).on('connect', () => { console.log('connected'); process.exit(0); })`]);
      expect(direct.stdout.trim()).toBe('EACCES');
      // ...so the helper lists for them, and only the fields the topology shows (no environment, no mounts).
      const r = await client.call({ cmd: 'request', op: 'listContainers', params: { socket } });
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
      const c = r.result.find((x: { name: string }) => x.name === 'vsu2-dock');
      expect(c).toMatchObject({ state: 'running', image: IMAGE });
      expect(Object.keys(c).sort()).toEqual(['compose', 'id', 'image', 'name', 'networkMode', 'networks', 'pid', 'sandboxKey', 'state']);

      // The whole CLI as that user: containers, their namespaces and host veths, and a note saying how.
      const [cmd, ...args] = asUser([nodePath, resolve(ROOT, 'bin/vethscope.cjs'), 'topology', '--json']);
      const cli = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 30_000, env: { ...userEnv, DOCKER_HOST }, cwd: '/tmp' });
      expect(cli.status, cli.stderr).toBe(0);
      const topo = JSON.parse(cli.stdout);
      expect(topo.docker.available).toBe(true);
      expect(topo.warnings.join('\n')).toMatch(/through the privileged helper/);
      const listed = topo.containers.find((x: { name: string }) => x.name === 'vsu2-dock');
      const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', 'vsu2-dock'));
      expect(listed.netns).toBe(statSync(`/proc/${pid}/ns/net`).ino);
      expect(listed.interfaces.find((i: { name: string }) => i.name === 'eth0')?.hostPeer).toMatch(/^veth/);
    } finally {
      removeSuiteContainers('vsu2-dock');
    }
  }, 60_000);

  it('the helper lists only a root-owned docker.sock: not other files, not a socket the user made', async () => {
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

  it('without the sudoers rule, sudo -n refuses: HELPER_REFUSED with sudo\'s words', async () => {
    rmSync(DROPIN);
    const fresh = new UserClient(join(work, 'runner.cjs'), { helperPath, nodePath });
    try {
      const r = await fresh.call({ cmd: 'start' });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('HELPER_REFUSED');
      expect(r.error?.message).toMatch(/sudo refused to start the helper: .*password is required/);
    } finally {
      await fresh.end();
    }
    // A helper started before the rule went away is not affected.
    expect((await client.call({ cmd: 'request', op: 'hello', params: {} })).result).toMatchObject({ uid: 0, invokingUid: uid });
  }, 30_000);
});
