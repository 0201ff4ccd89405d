// The launcher Wireshark runs (a /bin/sh script): an options call is answered from what the
// last listing wrote, only from files and folders of our own and only for interface names of
// ours; everything else goes to node. Here "node" is /bin/echo, so what reaches it shows.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFile, optionsDir, writeCache } from '../../../electron/front-doors/extcap/listing';
import type { ListedContainer } from '../../../electron/front-doors/extcap/interfaces';
import { launcherText } from '../../../electron/util/wireshark-extcap';
import { isRoot, tempDir } from '../../support/env';

const web: ListedContainer = { id: 'w1', name: 'web-1', engine: 'docker', pod: null, infra: false };
const db: ListedContainer = { id: 'd1', name: 'db-1', engine: 'docker', pod: null, infra: false };

describe('the launcher', () => {
  let t: ReturnType<typeof tempDir>;
  let launcher: string;
  let env: NodeJS.ProcessEnv;
  const run = (...args: string[]) => spawnSync(launcher, args, { env, encoding: 'utf8' }).stdout;
  beforeEach(() => {
    t = tempDir('vsx-launch-');
    launcher = t.path('vethscope');
    writeFileSync(launcher, launcherText('/bin/echo', 'via-node', '0.1.0'), { mode: 0o755 });
    env = { HOME: t.path('home'), XDG_RUNTIME_DIR: '', PATH: '/nonexistent' };
    mkdirSync(env.HOME!, { mode: 0o700 });
    writeCache([web, db], env);
  });
  afterEach(() => t.remove());

  it("an options call prints the file the listing wrote for that interface, without node", () => {
    const out = run('--extcap-config', '--extcap-interface', 'vethscope-web-1');
    expect(out).toMatch(/^arg \{number=0\}\{call=--container\}/);
    expect(out).toContain('{value=docker:web-1}{display=web-1 (docker)}{default=true}');
    expect(out).not.toContain('db-1'); // a container's own interface offers its container until Reload
    expect(run('--extcap-config', '--extcap-interface', 'vethscope')).toContain('{value=docker:db-1}');
  });

  it('every other call goes to node with its arguments as they came', () => {
    expect(run('--extcap-interfaces', '--extcap-version=4.0')).toBe('--no-memory-reducer via-node --extcap-interfaces --extcap-version=4.0\n');
    expect(run('--extcap-config', '--extcap-interface', 'vethscope-web-1', '--extcap-reload-option', 'container')).toMatch(/^--no-memory-reducer via-node /);
    expect(run('--extcap-config', '--extcap-interface', 'vethscope-gone')).toBe('--no-memory-reducer via-node --extcap-config --extcap-interface vethscope-gone\n');
    expect(run('--extcap-config', '--extcap-interface', 'sshdump')).toMatch(/^--no-memory-reducer via-node /);
  });

  it("no way out of our folder: a name with '/' or '..', a symlink in the folder", () => {
    const dir = optionsDir(cacheFile(env)!);
    writeFileSync(join(dir, '..', 'secret'), 'arg {number=0}{call=--leak}\n');
    mkdirSync(join(dir, 'vethscope-x'));
    expect(run('--extcap-config', '--extcap-interface', 'vethscope-x/../../secret')).toMatch(/^--no-memory-reducer via-node /);
    expect(run('--extcap-config', '--extcap-interface', 'vethscope..')).toMatch(/^--no-memory-reducer via-node /);
    const file = join(optionsDir(cacheFile(env)!), 'vethscope-web-1');
    renameSync(file, `${file}.real`);
    symlinkSync(`${file}.real`, file);
    expect(run('--extcap-config', '--extcap-interface', 'vethscope-web-1')).toMatch(/^--no-memory-reducer via-node /);
  });

  it.skipIf(!isRoot)('a file or folder that is not ours is not read', () => {
    const dir = optionsDir(cacheFile(env)!);
    chownSync(join(dir, 'vethscope-web-1'), 65534, 65534);
    expect(run('--extcap-config', '--extcap-interface', 'vethscope-web-1')).toMatch(/^--no-memory-reducer via-node /);
    chownSync(dir, 65534, 65534);
    expect(run('--extcap-config', '--extcap-interface', 'vethscope')).toMatch(/^--no-memory-reducer via-node /);
  });

  it('paths with quotes are passed literally', () => {
    const odd = t.path("it's here");
    mkdirSync(odd);
    writeFileSync(join(odd, 'echo'), '#!/bin/sh\necho "$0" "$@"\n', { mode: 0o755 });
    writeFileSync(launcher, launcherText(join(odd, 'echo'), "b'$(x)", '0.1.0'), { mode: 0o755 });
    expect(run('--extcap-interfaces')).toBe(`${join(odd, 'echo')} --no-memory-reducer b'$(x) --extcap-interfaces\n`);
  });
});
