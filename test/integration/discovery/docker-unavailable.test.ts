import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology } from '../../../shared/topology';
import { DOCKER_HOST, isRoot, SKIP_REASON } from '../../support/env';
import { buildCli, runBuiltCli } from './cli-process';
import { discover } from './kernel-view';

// A socket file nobody listens on: a child binds it, then dies by SIGKILL so the file stays.
async function deadSocket(path: string): Promise<void> {
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  await new Promise<void>((done) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).on('exit', () => done()));
  if (!existsSync(path)) throw new Error(`could not leave a dead socket at ${path}`);
}

describe.skipIf(!isRoot)(`discovery: Docker unreachable, and unprivileged (${isRoot ? 'root' : SKIP_REASON})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsd-dockerless-'));
  beforeAll(async () => {
    buildCli();
    await deadSocket(join(dir, 'dead.sock'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expectNamespacesWithoutDocker = (topo: Topology, message: RegExp) => {
    expect(topo.docker.available).toBe(false);
    expect(topo.docker.error?.code).toBe('DOCKER_UNAVAILABLE');
    expect(topo.docker.error?.message).toMatch(message);
    // Nothing from Docker's API; containers still named from the host's files (every engine's, issue 11) may be listed.
    expect(topo.engines.filter((e) => e.sources.includes('api'))).toEqual([]);
    expect(topo.containers.filter((c) => c.networks.length > 0)).toEqual([]);
    const host = topo.namespaces.find((n) => n.isHost)!;
    expect(host.interfaces.some((i) => i.kind === 'loopback')).toBe(true);
  };

  it('missing socket (ENOENT): namespaces still come back, with a helpful error', async () => {
    const topo = await discover({ ...process.env, DOCKER_HOST: `unix://${dir}/missing.sock` });
    expectNamespacesWithoutDocker(topo, /no Docker socket at .*missing\.sock/);
    expect(topo.privileged.available).toBe(true);
  });

  it('socket with nothing listening (ECONNREFUSED)', async () => {
    const topo = await discover({ ...process.env, DOCKER_HOST: `unix://${dir}/dead.sock` });
    expectNamespacesWithoutDocker(topo, /not listening at .*dead\.sock/);
  });

  it('as uid 65534: permission denied on the socket, host namespace only, privileged unavailable, no crash', () => {
    const run = runBuiltCli(['topology', '--json'], { PATH: process.env.PATH, DOCKER_HOST }, true);
    // No crash: exit 0 and no stack trace (the helper may explain on stderr why it could not start).
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const topo = Topology.parse(JSON.parse(run.stdout));
    expectNamespacesWithoutDocker(topo, /permission denied/);
    expect(topo.privileged).toMatchObject({ available: false, mode: 'none' });
    // Only the host's interfaces are read. Other namespaces may still be listed (anyone can see the
    // bind mounts under /run/netns and their own processes' namespaces) but cannot be entered.
    expect(topo.namespaces[0]).toMatchObject({ isHost: true, inode: topo.hostNetns });
    expect(topo.namespaces[0]!.interfaces.length).toBeGreaterThan(0);
    for (const ns of topo.namespaces.slice(1)) expect(ns.interfaces, `namespace ${ns.inode} (${ns.names.join(',')})`).toEqual([]);
  });

  it('the text tree says why Docker is missing and exits 0', () => {
    const run = runBuiltCli(['topology'], { PATH: process.env.PATH, DOCKER_HOST: `unix://${dir}/missing.sock` });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/docker: unavailable: no Docker socket/);
  });
});
