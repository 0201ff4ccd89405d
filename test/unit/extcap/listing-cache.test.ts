// The listing's private cache: what it keeps, how long, and what it refuses to believe
// (its names become Wireshark's interface list and the containers a capture asks for).
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_TTL_MS, cacheFile, fromTopology, readCache, writeCache } from '../../../electron/front-doors/extcap/listing';
import type { ListedContainer } from '../../../electron/front-doors/extcap/interfaces';
import { tempDir } from '../../support/env';

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
