// doctor's Wireshark section: whether Wireshark will list vethscope's containers, from what
// findExtcap saw; a launcher Wireshark cannot run, or one left in another version's folder,
// is a problem with its fix; not installed is a line saying how.
import { describe, expect, it } from 'vitest';
import { describeExtcap } from '../../../electron/backend/diagnostics/extcap-check';
import { formatDiagnostics } from '../../../electron/front-doors/cli/doctor-command';
import { Diagnostics } from '../../../shared/diagnostics';
import type { ExtcapFinding } from '../../../electron/util/wireshark-extcap';

const folders = { personal: '/home/ana/.local/lib/wireshark/extcap', global: ['/usr/lib/x86_64-linux-gnu/wireshark/extcap'], source: 'tshark' as const };
const launcher = { path: '/home/ana/.local/lib/wireshark/extcap/vethscope', node: '/usr/bin/node', bundle: '/usr/lib/vethscope/dist/extcap.cjs' };
const finding = (f: Partial<ExtcapFinding>): ExtcapFinding => ({ folders, found: null, problem: null, elsewhere: [], ...f });

describe("doctor's Wireshark section", () => {
  it('found and runnable: it lists the containers, no problem', () => {
    const r = describeExtcap(finding({ found: launcher }), true);
    expect(r.problems).toEqual([]);
    expect(r.wireshark).toMatchObject({ installed: true, finds: true, extcap: launcher.path, folders: [folders.personal, folders.global[0]] });
  });

  it('found but its bundle is gone: a problem, fixed by installing again where it was', () => {
    const r = describeExtcap(finding({ found: launcher, problem: `${launcher.path} loads ${launcher.bundle}, which is missing` }), true);
    expect(r.wireshark.finds).toBe(false);
    expect(r.problems).toEqual([{ area: 'wireshark', message: expect.stringMatching(/will not list .*which is missing/), fix: 'vethscope extcap install --user' }]);
    const global = describeExtcap(finding({ found: { ...launcher, path: '/usr/lib/x86_64-linux-gnu/wireshark/extcap/vethscope' }, problem: 'x' }), true);
    expect(global.problems[0]!.fix).toBe('sudo vethscope extcap install --system');
  });

  it("left in a folder this Wireshark no longer reads (4.0's after an upgrade to 4.2): a problem", () => {
    const r = describeExtcap(finding({ elsewhere: ['/home/ana/.config/wireshark/extcap/vethscope'] }), true);
    expect(r.problems).toEqual([{ area: 'wireshark', message: expect.stringMatching(/does not read/), fix: 'vethscope extcap install --remove && vethscope extcap install --user' }]);
  });

  it('not installed, or no Wireshark: no problem, one line saying how', () => {
    expect(describeExtcap(finding({}), true)).toMatchObject({ problems: [], wireshark: { finds: false, detail: expect.stringMatching(/^not installed: vethscope extcap install --user/) } });
    expect(describeExtcap(finding({}), false).wireshark.detail).toMatch(/Wireshark is not installed/);
  });

  it('the text report shows it and the JSON fits the schema', () => {
    const w = describeExtcap(finding({ found: launcher }), true).wireshark;
    const d: Diagnostics = {
      version: '0.1.0',
      user: { uid: 1000, name: 'ana', groups: ['ana'] },
      helper: { argv: null, mode: null, program: null, installed: false, trusted: false, path: null, interpreter: null, installedBy: null, group: null, inGroup: null, running: false, problems: [] },
      engines: [],
      tools: [],
      captures: { dir: '/home/ana/vethscope-captures', exists: false, writable: false, owner: null, mode: null },
      wireshark: w,
      problems: [],
    };
    expect(Diagnostics.safeParse(d).success).toBe(true);
    expect(formatDiagnostics(d)).toContain(`Wireshark (containers as capture interfaces)\n  extcap       lists vethscope's containers (${launcher.path}, running ${launcher.bundle})`);
  });
});
