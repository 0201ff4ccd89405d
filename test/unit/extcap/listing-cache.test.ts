// The listing's private cache: what it keeps, how long, and what it refuses to believe
// (its names become Wireshark's interface list and the containers a capture asks for).
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readlinkSync } from 'node:fs';
import { CACHE_TTL_MS, HOST_TTL_MS, cacheFile, fromTopology, listHere, optionsDir, readCache, writeCache } from '../../../electron/front-doors/extcap/listing';
import type { HostContainer } from '../../../shared/helper-protocol';
import type { ListedContainer } from '../../../electron/front-doors/extcap/interfaces';
import { isRoot, tempDir } from '../../support/env';

const web: ListedContainer = { id: 'w1', name: 'web-1', engine: 'docker', pod: null, infra: false };

describe('listing cache', () => {
  let t: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    t = tempDir('vsx-cache-');
    env = { HOME: t.dir, DOCKER_HOST: 'unix:///run/a.sock' };
  });
  afterEach(() => t.remove());

  it('lives in the runtime folder when there is one, else ~/.cache/vethscope; private', () => {
    expect(cacheFile({ HOME: '/home/ana' })).toBe('/home/ana/.cache/vethscope/extcap-containers.json');
    expect(cacheFile({ HOME: '/home/ana', XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/vethscope/extcap-containers.json');
    expect(cacheFile({ HOME: 'relative' })).toBeNull();
    writeCache([web], env, 1000);
    const file = cacheFile(env)!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
  });

  it('answers within its life, for the same Docker only', () => {
    writeCache([web], env, 1000);
    expect(readCache(env, CACHE_TTL_MS, 1000 + CACHE_TTL_MS - 1)).toEqual([web]);
    expect(readCache(env, CACHE_TTL_MS, 1000 + CACHE_TTL_MS)).toBeNull();
    expect(readCache(env, CACHE_TTL_MS, 999)).toBeNull(); // written "in the future": the clock moved
    expect(readCache({ ...env, DOCKER_HOST: 'unix:///run/b.sock' }, CACHE_TTL_MS, 1001)).toBeNull();
  });

  it('a cache file someone else could have written is not believed', () => {
    writeCache([web], env, 1000);
    const file = cacheFile(env)!;
    chmodSync(file, 0o666);
    expect(readCache(env, CACHE_TTL_MS, 1001)).toBeNull();
  });

  it('a symlink in its place is not followed; a malformed body is ignored', () => {
    const file = cacheFile(env)!;
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const elsewhere = t.path('planted.json');
    writeFileSync(elsewhere, JSON.stringify({ format: 1, uid: process.getuid?.(), docker: 'unix:///run/a.sock', writtenAt: 1000, containers: [web] }), { mode: 0o600 });
    symlinkSync(elsewhere, file);
    expect(readCache(env, CACHE_TTL_MS, 1001)).toBeNull();
    // Writing replaces the link itself (rename), never the file it points at.
    writeCache([{ ...web, name: 'db-1' }], env, 2000);
    expect(JSON.parse(readFileSync(elsewhere, 'utf8')).containers[0].name).toBe('web-1');
    expect(readCache(env, CACHE_TTL_MS, 2001)?.[0]?.name).toBe('db-1');
    writeFileSync(file, JSON.stringify({ format: 1, uid: process.getuid?.(), docker: 'unix:///run/a.sock', writtenAt: 3000, containers: [{ id: 1 }] }));
    expect(readCache(env, CACHE_TTL_MS, 3001)).toBeNull();
  });

  // Only root's own reading is complete; a user's listing comes from the Backend (listHere reads nothing for them).
  it.skipIf(!isRoot)("what the host's files said is reused within HOST_TTL_MS while its containers' processes live in their namespaces", async () => {
    const ownNetns = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))![1]);
    // A stand-in podman container whose process is this test's (alive, in our namespace, but not the host's: see below).
    const fake: HostContainer = { engine: 'podman', id: 'f00d', name: 'vsx-cached', image: null, pod: null, infra: false, pid: process.pid, netns: ownNetns + 1, uid: 0, compose: null };
    const noDocker = { ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const listed = async (h: HostContainer, age: number) => {
      writeCache([], noDocker, 1000, { readAt: 1000, containers: [h] });
      return (await listHere(noDocker, 1000 + age)).containers.map((c) => c.name);
    };
    // Another namespace than the one the pid lives in: that container is gone (a reused pid), read afresh.
    expect(await listed(fake, 1)).not.toContain('vsx-cached');
    const alive = { ...fake, netns: null };
    expect(await listed(alive, HOST_TTL_MS - 1)).toContain('vsx-cached');
    expect(await listed(alive, HOST_TTL_MS)).not.toContain('vsx-cached');
  });

  it("each interface's options are written beside it; an unchanged listing leaves them be, a changed one rewrites them and drops the gone", () => {
    const db: ListedContainer = { ...web, id: 'd1', name: 'db-1' };
    writeCache([web, db], env, 1000);
    const dir = optionsDir(cacheFile(env)!);
    expect(readdirSync(dir).sort()).toEqual(['vethscope', 'vethscope-db-1', 'vethscope-web-1']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'vethscope-web-1')).mode & 0o777).toBe(0o600);
    const inode = statSync(join(dir, 'vethscope')).ino;
    writeCache([web, db], env, 2000);
    expect(statSync(join(dir, 'vethscope')).ino).toBe(inode);
    writeCache([web], env, 3000);
    expect(readdirSync(dir).sort()).toEqual(['vethscope', 'vethscope-web-1']);
    expect(readFileSync(join(dir, 'vethscope'), 'utf8')).not.toContain('db-1');
  });

  it("a user's own reading is never complete: listHere reads nothing and says so (the Backend lists for them)", async () => {
    const getuid = process.getuid;
    process.getuid = () => 1000;
    try {
      expect(await listHere(env)).toEqual({ containers: [], complete: false, warnings: [] });
    } finally {
      process.getuid = getuid;
    }
  });

  it('a topology lists its running containers that have a network of their own', () => {
    const base = { ...web, state: 'running', hostNetwork: false, interfaces: [{ name: 'lo', kind: 'loopback' }, { name: 'eth0', kind: 'veth' }] };
    expect(
      fromTopology([
        base,
        { ...base, id: 'h', name: 'host-net', hostNetwork: true },
        { ...base, id: 'n', name: 'none-net', interfaces: [{ name: 'lo', kind: 'loopback' }] },
        { ...base, id: 'x', name: 'exited', state: 'exited' },
      ]),
    ).toEqual([web]);
  });
});
