// listContainers: the helper (root) connects for a user to a Docker socket the user
// names. It must connect only to a socket it resolved itself, in folders only root can
// change, or a user could point root's connection at another root service's socket
// (issue 10, the docker-socket finding). Two fake root services stand in for Docker
// and for "another service"; each counts every connection it gets.
// Why no race test: before the fix the helper checked the path (lstat) and connected
// by path, but Node connects in the same tick and keep-alive reuses that connection,
// so 300 tries with a user flipping a folder link between the two never hit the gap.
// The fix closes it by construction (connect to the resolved real path, whose folders
// only root can change); what is tested is that such folders are required.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const USER = 'vsp-dsock';
const skip = process.getuid?.() !== 0 ? 'needs root (fake root services, a test user)' : spawnSync('which', ['setpriv']).status !== 0 ? 'setpriv is not installed' : null;
if (skip) console.log(`[docker-socket] skipped: ${skip}`);

const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** Just enough of the Engine API for one listing: one container, so the helper connects again to inspect it. */
function engineReply(url: string): unknown {
  if (url.startsWith('/containers/json')) return [{ Id: 'c1' }];
  if (url.startsWith('/containers/c1/json')) return { Id: 'c1', Name: '/vsp-fake', Config: { Image: 'fake' }, State: { Status: 'exited', Running: false, Pid: 0 }, HostConfig: {}, NetworkSettings: { Networks: {} } };
  return [];
}

/** A root HTTP service on a unix socket that answers like Docker and counts connections. */
async function fakeService(path: string): Promise<{ server: Server; connections: () => number }> {
  let n = 0;
  const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(engineReply(req.url ?? ''))));
  server.on('connection', () => n++);
  await new Promise<void>((r) => server.listen(path, r));
  return { server, connections: () => n };
}

/** The helper as root for USER, one JSON line per request. */
class Helper {
  private readonly child: ChildProcess;
  private buf = '';
  private next = 1;
  private readonly waiting = new Map<number, (m: any) => void>();
  constructor(bundle: string, uid: number, gid: number) {
    this.child = spawn(process.execPath, [bundle, '--user', `${uid}:${gid}`], { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    this.child.stdout!.on('data', (c) => {
      this.buf += c;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
        if (typeof m.id === 'number') this.waiting.get(m.id)?.(m);
      }
    });
  }
  call(op: string, params: object): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string } }> {
    const id = this.next++;
    return new Promise((r) => {
      this.waiting.set(id, r);
      this.child.stdin!.write(JSON.stringify({ id, op, params }) + '\n');
    });
  }
  async end(): Promise<void> {
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.end();
    await gone;
  }
}

describe.skipIf(skip !== null)('listContainers connects only to a socket the helper resolved in root-only folders', () => {
  let uid: number;
  let gid: number;
  let createdUser = false;
  let run: string; // root's: the two fake services
  let userDir: string; // the user's: their links
  let helper: Helper;
  let docker: Awaited<ReturnType<typeof fakeService>>;
  let other: Awaited<ReturnType<typeof fakeService>>;

  beforeAll(async () => {
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      sh('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
      createdUser = true;
    }
    uid = Number(sh('id', ['-u', USER]));
    gid = Number(sh('id', ['-g', USER]));
    run = mkdtempSync('/run/vsp-dsock-');
    chmodSync(run, 0o755);
    for (const d of ['docker', 'other']) mkdirSync(join(run, d), { mode: 0o755 });
    docker = await fakeService(join(run, 'docker', 'docker.sock'));
    other = await fakeService(join(run, 'other', 'service.sock'));
    userDir = mkdtempSync('/tmp/vsp-dsock-user-');
    chownSync(userDir, uid, gid);
    chmodSync(userDir, 0o755);
    const bundle = join(run, 'helper.cjs');
    buildSync({ entryPoints: [resolve(ROOT, 'electron/root-helper/main.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'error' });
    helper = new Helper(bundle, uid, gid);
  }, 60_000);

  afterAll(async () => {
    await helper?.end();
    docker?.server.close();
    other?.server.close();
    if (run) rmSync(run, { recursive: true, force: true });
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    if (createdUser) spawnSync('userdel', [USER]);
  });

  const asUser = (argv: string[]) => sh('setpriv', ['--reuid', USER, '--regid', USER, '--init-groups', '--', ...argv]);

  it('control: a root-owned docker.sock in root\'s folders is listed', async () => {
    const r = await helper.call('listContainers', { socket: join(run, 'docker', 'docker.sock') });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result.map((c: { name: string }) => c.name)).toEqual(['vsp-fake']);
  });

  it('a symlink named docker.sock pointing at another root service\'s socket is refused', async () => {
    const link = join(userDir, 'docker.sock');
    asUser(['/usr/bin/ln', '-s', join(run, 'other', 'service.sock'), link]);
    const r = await helper.call('listContainers', { socket: link });
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('INVALID_INPUT');
    // Says where the link leads, so a person sees what was refused.
    expect(r.error?.message).toContain(join(run, 'other', 'service.sock'));
    expect(other.connections()).toBe(0);
  });

  it('a link that leads to a root-owned docker.sock in root\'s folders is as good as its target (like /var/run -> /run)', async () => {
    const link = join(userDir, 'to-docker');
    asUser(['/usr/bin/ln', '-s', join(run, 'docker'), link]);
    const r = await helper.call('listContainers', { socket: join(link, 'docker.sock') });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    expect(r.result.map((c: { name: string }) => c.name)).toEqual(['vsp-fake']);
  });

  it('a root-owned docker.sock in a folder the user may change is refused (they could swap it at any moment)', async () => {
    const dir = join(userDir, 'own');
    asUser(['/usr/bin/mkdir', dir]);
    const sock = await fakeService(join(dir, 'docker.sock')); // root's socket, the user's folder
    try {
      const r = await helper.call('listContainers', { socket: join(dir, 'docker.sock') });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('PERMISSION_DENIED');
      expect(r.error?.message).toContain(dir);
      expect(sock.connections()).toBe(0);
    } finally {
      sock.server.close();
    }
  });
});
