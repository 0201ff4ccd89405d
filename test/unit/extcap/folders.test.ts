// Where Wireshark looks, read from `tshark -G folders` (the first text is tshark 4.0.17's own
// output here; 4.2 and later print Personal/Global Extcap path lines instead), and the
// launcher vethscope puts there.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExtcap, launcherProblem, launcherText, parseWiresharkFolders, readLauncher } from '../../../electron/util/wireshark-extcap';
import { tempDir } from '../../support/env';

const TSHARK_4_0 = [
  'Temp:                \t/tmp',
  'Personal configuration:\t/home/ana/.config/wireshark',
  'Global configuration:\t/usr/share/wireshark',
  'Personal Plugins:    \t/home/ana/.local/lib/wireshark/plugins/4.0',
  'Extcap path:         \t/usr/lib/x86_64-linux-gnu/wireshark/extcap',
  'MaxMind database path:\t/usr/share/GeoIP',
  '',
].join('\n');

const TSHARK_4_2 = ['Personal configuration:\t/home/ana/.config/wireshark', 'Personal Extcap path:\t/home/ana/.local/lib/wireshark/extcap', 'Global Extcap path:  \t/usr/lib/x86_64-linux-gnu/wireshark/extcap', ''].join('\n');
const TSHARK_4_6 = ['Personal configuration:\t/home/ana/.config/wireshark', 'Personal Extcap path:\t/home/ana/.local/lib/wireshark/extcap/wireshark', 'Global Extcap path:\t/usr/libexec/wireshark/extcap/wireshark', ''].join('\n');

describe('tshark -G folders', () => {
  it('4.0: the global folder, and the personal configuration\'s extcap/', () => {
    expect(parseWiresharkFolders(TSHARK_4_0)).toEqual({ personal: '/home/ana/.config/wireshark/extcap', global: ['/usr/lib/x86_64-linux-gnu/wireshark/extcap'] });
  });
  it('4.2+: both named; whatever subfolder a version adds is taken as printed', () => {
    expect(parseWiresharkFolders(TSHARK_4_2)).toEqual({ personal: '/home/ana/.local/lib/wireshark/extcap', global: ['/usr/lib/x86_64-linux-gnu/wireshark/extcap'] });
    expect(parseWiresharkFolders(TSHARK_4_6)).toEqual({ personal: '/home/ana/.local/lib/wireshark/extcap/wireshark', global: ['/usr/libexec/wireshark/extcap/wireshark'] });
  });
  it('nothing known: nothing guessed', () => {
    expect(parseWiresharkFolders('tshark: something went wrong\n')).toEqual({ personal: null, global: [] });
  });
});

describe('the launcher', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir('vsx-launcher-')));
  afterEach(() => t.remove());

  it('round-trips: node and bundle read back; a launcher whose bundle is gone says so', () => {
    const p = t.path('vethscope');
    writeFileSync(p, launcherText('/usr/bin/node', '/opt/vethscope/dist/extcap.cjs', '0.1.0'), { mode: 0o755 });
    const l = readLauncher(p)!;
    expect(l).toEqual({ path: p, node: '/usr/bin/node', bundle: '/opt/vethscope/dist/extcap.cjs' });
    expect(launcherProblem(l)).toMatch(/loads \/opt\/vethscope\/dist\/extcap\.cjs, which is missing/);
    chmodSync(p, 0o644);
    expect(launcherProblem(l)).toMatch(/is not executable/);
  });

  it("starts node without the memory reducer; an older launcher (no flag) is still read as ours", () => {
    const p = t.path('vethscope');
    const text = launcherText('/usr/bin/node', '/opt/vethscope/dist/extcap.cjs', '0.1.0');
    expect(text).toContain(`exec '/usr/bin/node' --no-memory-reducer '/opt/vethscope/dist/extcap.cjs' "$@"\n`);
    writeFileSync(p, text.replace(' --no-memory-reducer ', ' '));
    expect(readLauncher(p)).toEqual({ path: p, node: '/usr/bin/node', bundle: '/opt/vethscope/dist/extcap.cjs' });
    writeFileSync(p, text.replace(' --no-memory-reducer ', ' --require=/tmp/x.js '));
    expect(readLauncher(p)).toBeNull();
  });

  it("someone else's program, or a symlink, is not ours", () => {
    writeFileSync(t.path('other'), '#!/bin/sh\necho interface {value=x}\n');
    expect(readLauncher(t.path('other'))).toBeNull();
    writeFileSync(t.path('real'), launcherText('/usr/bin/node', '/x/extcap.cjs', '0.1.0'));
    symlinkSync(t.path('real'), t.path('link'));
    expect(readLauncher(t.path('link'))).toBeNull();
  });

  it('findExtcap: ours in the folder this Wireshark reads, and any left in another version\'s folder', async () => {
    const home = t.path('home');
    const current = join(home, '.local/lib/wireshark/extcap');
    const old = join(home, '.config/wireshark/extcap');
    mkdirSync(current, { recursive: true });
    mkdirSync(old, { recursive: true });
    const bundle = t.path('extcap.cjs');
    writeFileSync(bundle, '');
    writeFileSync(join(current, 'vethscope'), launcherText(process.execPath, bundle, '0.1.0'), { mode: 0o755 });
    writeFileSync(join(old, 'vethscope'), launcherText(process.execPath, bundle, '0.1.0'), { mode: 0o755 });
    // A stand-in tshark that prints 4.2's folders for this HOME.
    const tshark = t.path('tshark');
    writeFileSync(tshark, `#!/bin/sh\nprintf 'Personal Extcap path:\\t%s\\nGlobal Extcap path:\\t%s\\n' "$HOME/.local/lib/wireshark/extcap" "${t.path('global')}"\n`, { mode: 0o755 });
    const f = await findExtcap({ HOME: home, PATH: '/usr/bin:/bin' }, tshark);
    expect(f.folders).toEqual({ personal: current, global: [t.path('global')], source: 'tshark' });
    expect(f.found?.path).toBe(join(current, 'vethscope'));
    expect(f.problem).toBeNull();
    expect(f.elsewhere).toEqual([join(old, 'vethscope')]);
  });
});
