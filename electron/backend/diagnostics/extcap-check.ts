// doctor's Wireshark section: will Wireshark, run by this user, list vethscope's containers?
// The folders come from `tshark -G folders` (they move between Wireshark versions); a
// launcher left in another version's folder, or one whose node or bundle is gone, is a
// problem with its fix. Not installed is no problem, only a line saying how.
import type { DiagnosticProblem, Diagnostics } from '../../../shared/diagnostics';
import { findExtcap, type ExtcapFinding } from '../../util/wireshark-extcap';
import { onPath } from '../capture/launchers';

type Wireshark = NonNullable<Diagnostics['wireshark']>;

const INSTALL = 'vethscope extcap install --user   (for every user: sudo vethscope extcap install --system)';

export function describeExtcap(f: ExtcapFinding, installed: boolean): { wireshark: Wireshark; problems: DiagnosticProblem[] } {
  const folders = [f.folders.personal, ...f.folders.global].filter((x): x is string => Boolean(x));
  const problems: DiagnosticProblem[] = [];
  const base = { installed, folders, extcap: f.found?.path ?? null };
  if (f.found && f.problem) {
    problems.push({ area: 'wireshark', message: `Wireshark will not list vethscope's containers: ${f.problem}`, fix: f.folders.global.some((g) => f.found!.path.startsWith(`${g}/`)) ? 'sudo vethscope extcap install --system' : 'vethscope extcap install --user' });
    return { wireshark: { ...base, finds: false, detail: f.problem }, problems };
  }
  if (f.found) return { wireshark: { ...base, finds: true, detail: `lists vethscope's containers (${f.found.path}, running ${f.found.bundle})` }, problems };
  if (f.elsewhere.length) {
    const where = f.elsewhere.join(', ');
    problems.push({ area: 'wireshark', message: `vethscope's extcap is in ${where}, a folder this Wireshark does not read (Wireshark moved its extcap folders between versions)`, fix: 'vethscope extcap install --remove && vethscope extcap install --user' });
    return { wireshark: { ...base, finds: false, detail: `installed only where this Wireshark does not look: ${where}` }, problems };
  }
  if (!installed) return { wireshark: { ...base, finds: false, detail: 'Wireshark is not installed here (sudo apt install wireshark, or tshark)' }, problems };
  return { wireshark: { ...base, finds: false, detail: `not installed: ${INSTALL}` }, problems };
}

export async function checkExtcap(env: NodeJS.ProcessEnv, findTool: (n: string) => string | null): Promise<{ wireshark: Wireshark; problems: DiagnosticProblem[] }> {
  const tshark = findTool('tshark');
  const installed = Boolean(tshark || onPath('wireshark', env) || findTool('wireshark'));
  return describeExtcap(await findExtcap(env, tshark), installed);
}
