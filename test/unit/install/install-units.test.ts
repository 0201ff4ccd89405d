// The pure parts of install-helper and doctor: the manifest, the interpreter choice,
// what the unprivileged side concludes about the installed helper, and doctor's report.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseInterpreter } from '../../../electron/install/interpreter';
import { inspectInstalledHelper, readShebang } from '../../../electron/install/installed-helper';
import { manifestText, parseManifest, type InstallManifest } from '../../../electron/install/manifest';
import { parseGroupFile, processInGroup } from '../../../electron/install/groups';
import { systemLayout, type Layout } from '../../../electron/install/layout';
import { checkHelper, trustFix } from '../../../electron/backend/diagnostics/helper-check';
import { formatDiagnostics } from '../../../electron/front-doors/cli/doctor-command';
import type { ElevationInput } from '../../../electron/backend/helper-client/elevation';
import type { TrustFs } from '../../../electron/kernel/file-trust';
import { Diagnostics } from '../../../shared/diagnostics';

const dir = mkdtempSync(join(tmpdir(), 'vsp-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest: InstallManifest = { format: 1, installedBy: 'install-helper', version: '0.1.0', helper: '/usr/lib/vethscope/vethscope-helper', interpreter: '/usr/bin/node', group: 'wireshark', files: [{ path: '/usr/lib/vethscope/vethscope-helper', sha256: 'ab' }], dirs: ['/usr/lib/vethscope'], createdGroups: [] };

describe('manifest', () => {
  it('round-trips, and anything else is "invalid" with the reason (never a guess)', () => {
    expect(parseManifest(manifestText(manifest))).toEqual({ kind: 'ok', manifest });
    expect(parseManifest('{').kind).toBe('invalid');
    const bad = parseManifest(JSON.stringify({ ...manifest, installedBy: 'someone' }));
    expect(bad.kind === 'invalid' && bad.message).toMatch(/installedBy/);
  });
});

describe('chooseInterpreter', () => {
  const deps = { running: '/home/ana/.nvm/node', runningIsElectron: false, libDir: '/usr/lib/vethscope', exists: () => true, realpath: (p: string) => p };
  it('the first root-owned system node of 18 or newer', async () => {
    const r = await chooseInterpreter({ ...deps, candidates: ['/usr/bin/node', '/usr/local/bin/node'], problems: () => [], major: async () => 20 });
    expect(r).toMatchObject({ path: '/usr/bin/node', copyFrom: null });
  });
  it('skips a node others can change or an old one; copies the running node when none is left', async () => {
    const r = await chooseInterpreter({ ...deps, candidates: ['/usr/bin/node', '/usr/local/bin/node'], problems: (p) => (p === '/usr/local/bin/node' ? ['/usr/local/bin is writable by its group (gid 50)'] : []), major: async (p) => (p === '/usr/bin/node' ? 12 : 20) });
    expect(r).toMatchObject({ path: '/usr/lib/vethscope/node', copyFrom: '/home/ana/.nvm/node' });
    expect('why' in r && r.why).toMatch(/node 12 is older than 18.*writable by its group/);
  });
  it('never copies Electron\'s binary: says what to install instead', async () => {
    const r = await chooseInterpreter({ ...deps, runningIsElectron: true, candidates: [], major: async () => 20 });
    expect('error' in r && r.error).toMatch(/sudo apt install nodejs/);
  });
});

describe('inspectInstalledHelper', () => {
  const layout: Layout = { ...systemLayout, helperPath: join(dir, 'vethscope-helper'), manifestPath: join(dir, 'manifest.json') };
  const fine: TrustFs = { realpath: (p) => p, lstat: () => ({ uid: 0, gid: 0, mode: 0o755, isFile: () => true, isDirectory: () => true, isSocket: () => false }) };
  it('not there: null', () => {
    expect(inspectInstalledHelper({ layout, exists: () => false })).toBeNull();
  });
  it('reads its interpreter and the group from the manifest', () => {
    writeFileSync(layout.helperPath, '#!/usr/bin/node\nconsole.log(1)\n');
    writeFileSync(layout.manifestPath, manifestText(manifest));
    expect(readShebang(layout.helperPath)).toBe('/usr/bin/node');
    expect(inspectInstalledHelper({ layout, fs: fine })).toMatchObject({ interpreter: '/usr/bin/node', group: 'wireshark', installedBy: 'install-helper', problems: [], notes: [] });
  });
  it("reads the interpreter past node's idle flag, and nothing else on that line", () => {
    for (const [line, interpreter] of [
      ['#!/usr/bin/node --no-memory-reducer', '/usr/bin/node'],
      ['#!/usr/bin/node', '/usr/bin/node'],
      ['#!/usr/bin/node --require=/tmp/evil.js', null],
      ['#!/usr/bin/node --no-memory-reducer --inspect', null],
      ['#!/usr/bin/env node', null],
    ] as const) {
      writeFileSync(layout.helperPath, `${line}\nconsole.log(1)\n`);
      expect(readShebang(layout.helperPath), line).toBe(interpreter);
    }
  });

  it('no shebang, or an interpreter others can change: problems; no manifest: a note, no group', () => {
    writeFileSync(layout.helperPath, 'console.log(1)\n');
    rmSync(layout.manifestPath);
    const h = inspectInstalledHelper({ layout, fs: fine })!;
    expect(h.problems).toEqual([`${layout.helperPath} does not start with #!/path/to/node`]);
    expect(h).toMatchObject({ group: null, notes: [expect.stringMatching(/which group may start the helper is unknown/)] });
    const owned: TrustFs = { ...fine, lstat: (p) => ({ ...fine.lstat(p), uid: p === '/home/ana/node' ? 1000 : 0 }) };
    writeFileSync(layout.helperPath, '#!/home/ana/node\n');
    expect(inspectInstalledHelper({ layout, fs: owned })!.problems).toEqual(['/home/ana/node is owned by uid 1000, not root (its interpreter)']);
  });
});

describe('groups', () => {
  const groups = parseGroupFile('root:x:0:\nwireshark:x:120:ana,bo\nbroken line\n');
  it('parses /etc/group and asks the process\'s own list (what sudo sees)', () => {
    expect(groups).toEqual([{ name: 'root', gid: 0, members: [] }, { name: 'wireshark', gid: 120, members: ['ana', 'bo'] }]);
    expect(processInGroup('wireshark', groups, [1000, 120])).toBe(true);
    expect(processInGroup('wireshark', groups, [1000])).toBe(false);
    expect(processInGroup('nope', groups, [0])).toBe(false);
  });
});

describe('doctor', () => {
  const elevation: ElevationInput = { elevation: 'auto', uid: 1000, gid: 1000, env: {}, interactive: false, nodePath: '/usr/bin/node', helperPath: '/src/dist/helper.cjs', findTool: (n) => `/usr/bin/${n}`, problemsOf: () => [], exists: () => true };
  const installed = { path: '/usr/lib/vethscope/vethscope-helper', installedBy: 'install-helper' as const, version: '0.1.0', interpreter: '/usr/bin/node', group: 'wireshark', problems: [], notes: [] };
  const groups = parseGroupFile('wireshark:x:120:ana\n');
  it('each file-trust problem gets its command', () => {
    expect(trustFix('/usr/lib/vethscope is writable by its group (gid 50)')).toBe('sudo chmod go-w /usr/lib/vethscope');
    expect(trustFix('/usr/lib/vethscope/vethscope-helper is owned by uid 1000, not root')).toBe('sudo chown root:root /usr/lib/vethscope/vethscope-helper');
  });
  it('nothing installed, no terminal: the one problem says how to install it', () => {
    const r = checkHelper({ elevation, installed: null, running: false, userName: 'ana', groups });
    expect(r.helper).toMatchObject({ argv: null, installed: false, trusted: false });
    expect(r.problems).toEqual([{ area: 'helper', message: expect.stringMatching(/no installed helper/), fix: 'sudo npx vethscope install-helper --group wireshark' }]);
  });
  it('installed, not in the group: the helper plan, and how to join (or to log in again when already listed)', () => {
    const notListed = checkHelper({ elevation, installed, running: false, userName: 'cy', groups, inGroup: () => false });
    expect(notListed.helper).toMatchObject({ argv: ['/usr/bin/sudo', '-n', '--', installed.path], trusted: true, inGroup: false });
    expect(notListed.problems).toEqual([{ area: 'group', message: expect.stringContaining('not in wireshark'), fix: 'sudo adduser cy wireshark   (then log in again)' }]);
    expect(checkHelper({ elevation, installed, running: false, userName: 'ana', groups, inGroup: () => false }).problems[0]!.fix).toBe('log out and in again');
    expect(checkHelper({ elevation, installed, running: false, userName: 'ana', groups, inGroup: () => true }).problems).toEqual([]);
  });
  it('the text report lists every problem with its fix, and the JSON fits the schema', () => {
    const h = checkHelper({ elevation, installed: { ...installed, problems: ['/usr/lib/vethscope is writable by its group (gid 50)'] }, running: false, userName: 'ana', groups, inGroup: () => true });
    const d: Diagnostics = {
      version: '0.1.0',
      user: { uid: 1000, name: 'ana', groups: ['ana', 'wireshark'] },
      helper: h.helper,
      engines: [{ name: 'docker', endpoint: 'unix:///var/run/docker.sock', reachable: true, detail: 'answers' }],
      tools: [{ name: 'tcpdump', path: '/usr/bin/tcpdump', need: 'required', purpose: 'captures' }],
      captures: { dir: '/home/ana/vethscope-captures', exists: true, writable: true, owner: 1000, mode: '0755' },
      problems: h.problems,
    };
    expect(Diagnostics.safeParse(d).success).toBe(true);
    const text = formatDiagnostics(d);
    expect(text).toContain('safe         NO: see problems');
    expect(text).toMatch(/1\. \[helper\] the installed helper is not safe to run as root: \/usr\/lib\/vethscope is writable by its group \(gid 50\)\n {5}fix: sudo chmod go-w \/usr\/lib\/vethscope/);
  });
});
