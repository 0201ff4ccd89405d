// `vethscope extcap install`: into the folders tshark names, idempotent, never over someone
// else's program, --remove takes out only ours, and root never installs a launcher that
// runs code someone else can change (root's Wireshark runs every extcap it finds).
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_NOT_ROOT, extcapInstall, extcapInstallCommand, rootRunProblems, type ExtcapInstallDeps } from '../../../electron/front-doors/extcap/install';
import { readLauncher } from '../../../electron/util/wireshark-extcap';
import { isRoot, tempDir } from '../../support/env';

describe('extcap install', () => {
  let t: ReturnType<typeof tempDir>;
  let d: ExtcapInstallDeps;
  let personal: string;
  let global: string;
  beforeEach(() => {
    t = tempDir('vsx-install-');
    personal = t.path('home/.local/lib/wireshark/extcap');
    global = t.path('usr/lib/wireshark/extcap');
    const dist = t.path('pkg/dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'extcap.cjs'), '');
    writeFileSync(join(dist, 'cli.cjs'), '');
    d = { env: { HOME: t.path('home') }, uid: 1000, folders: async () => ({ personal, global: [global], source: 'tshark' }), bundle: join(dist, 'extcap.cjs'), node: '/usr/bin/node', version: '0.1.0' };
  });
  afterEach(() => t.remove());

  it('--user: the launcher in the personal folder, executable, naming this node and bundle; again replaces it', async () => {
    expect(await extcapInstall({ scope: 'user', remove: false }, d)).toEqual([{ done: 'installed', path: join(personal, 'vethscope') }]);
    const p = join(personal, 'vethscope');
    expect(statSync(p).mode & 0o777).toBe(0o755);
    expect(readLauncher(p)).toEqual({ path: p, node: '/usr/bin/node', bundle: d.bundle });
    expect(await extcapInstall({ scope: 'user', remove: false }, d)).toEqual([{ done: 'replaced', path: p }]);
  });

  it("never over someone else's program of that name", async () => {
    mkdirSync(personal, { recursive: true });
    writeFileSync(join(personal, 'vethscope'), '#!/bin/sh\n# not ours\n');
    await expect(extcapInstall({ scope: 'user', remove: false }, d)).rejects.toThrow(/exists and is not vethscope's extcap/);
    expect(readFileSync(join(personal, 'vethscope'), 'utf8')).toContain('not ours');
  });

  it('--remove: ours from this and other versions\' folders, nothing else', async () => {
    await extcapInstall({ scope: 'user', remove: false }, d);
    const old = t.path('home/.config/wireshark/extcap');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'vethscope'), readFileSync(join(personal, 'vethscope')));
    const foreign = t.path('home/.local/lib/wireshark/extcap/wireshark');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'vethscope'), '#!/bin/sh\n');
    const steps = await extcapInstall({ scope: 'user', remove: true }, d);
    expect(steps.map((s) => s.path).sort()).toEqual([join(old, 'vethscope'), join(personal, 'vethscope')].sort());
    expect(existsSync(join(foreign, 'vethscope'))).toBe(true);
    expect(await extcapInstall({ scope: 'user', remove: true }, d)).toEqual([{ done: 'absent', path: personal }]);
  });

  it('--system is root\'s (exit 77); without tshark, --user says how to find the folder', async () => {
    const lines: string[] = [];
    const io = { out: (s: string) => void lines.push(s), err: (s: string) => void lines.push(s) };
    expect(await extcapInstallCommand(['--system'], io, d)).toBe(EXIT_NOT_ROOT);
    expect(lines.join('\n')).toMatch(/sudo vethscope extcap install --system/);
    await expect(extcapInstall({ scope: 'user', remove: false }, { ...d, folders: async () => ({ personal: null, global: [global], source: 'guess' }) })).rejects.toThrow(/apt install tshark/);
    expect(await extcapInstallCommand(['--user', '--system'], io, d)).toBe(2);
  });

  it('a bundle that was never built is named', async () => {
    await expect(extcapInstall({ scope: 'user', remove: false }, { ...d, bundle: t.path('nope/extcap.cjs') })).rejects.toThrow(/npm run build/);
  });

  it('root: refused when anyone else could change what the launcher runs (the bundle, the CLI beside it, node_modules)', async () => {
    // This tree is the test runner's (not root's, or group-writable when the runner is root).
    if (isRoot) chmodSync(t.path('pkg/dist'), 0o775);
    const root = { ...d, uid: 0, node: process.execPath };
    await expect(extcapInstall({ scope: 'system', remove: false }, root)).rejects.toThrow(/refusing to install for root's Wireshark: .*pkg\/dist/);
    expect(existsSync(join(global, 'vethscope'))).toBe(false);
    await expect(extcapInstall({ scope: 'user', remove: false }, root)).rejects.toThrow(/refusing to install for root's Wireshark/);
  });

  it.skipIf(!isRoot)('root: a tree only root can change installs (and a group-writable file deep in node_modules is found)', async () => {
    chmodSync(t.dir, 0o755);
    const root = { ...d, uid: 0, node: process.execPath };
    expect(rootRunProblems(d.bundle, process.execPath)).toEqual([]);
    expect((await extcapInstall({ scope: 'system', remove: false }, root))[0]!.path).toBe(join(global, 'vethscope'));
    const deep = t.path('pkg/node_modules/ssh2/lib');
    mkdirSync(deep, { recursive: true, mode: 0o755 });
    writeFileSync(join(deep, 'index.js'), '', { mode: 0o664 });
    chmodSync(join(deep, 'index.js'), 0o664);
    expect(rootRunProblems(d.bundle, process.execPath)).toEqual([`${join(deep, 'index.js')} is writable by its group (gid 0)`]);
  });
});
