// How the unprivileged app gets its one root helper, and what a failure means.
// The program that runs elevated is always a file only root can change:
//   installed helper (/usr/lib/vethscope/vethscope-helper, `#!/usr/bin/node --no-memory-reducer`, root:root):
//     sudo -n -- HELPER          a member of the group rule (sudoers: HELPER "" for %GROUP)
//     pkexec HELPER              on a desktop (polkit action org.vethscope.helper names HELPER)
//     sudo -- HELPER             in a terminal, for someone sudo asks for a password
//   root:   setpriv --pdeathsig TERM -- NODE --no-memory-reducer CHECKOUT_HELPER --user UID:GID (root's own choice)
//   a development checkout without the installed helper: only through a prompt that no
//   standing rule answers, with a root-owned node:
//     sudo -k -- NODE CHECKOUT_HELPER --dev-checkout      (terminal: asks every time)
//     pkexec NODE CHECKOUT_HELPER --dev-checkout          (desktop: polkit's admin prompt)
//   --dev-checkout lets the helper accept a file owned by the person it runs for (trust.ts).
import { existsSync } from 'node:fs';
import { DEV_CHECKOUT_FLAG, HELPER_EXIT_UNTRUSTED } from '../../../shared/helper-exit';
import { CodedError } from '../../../shared/result';
import { describeProblem, whoElseCanChange } from '../../kernel/file-trust';
import { processInGroup } from '../../install/groups';
import { inspectInstalledHelper, type InstalledHelper } from '../../install/installed-helper';
import { installCommand } from '../../install/layout';
import { NODE_IDLE_FLAG } from '../../util/node-flags';
import { vethscopeVersion } from '../../util/package-root';

export type ElevationMode = 'root' | 'sudo' | 'pkexec';

export type Elevation = 'auto' | ElevationMode;

export interface ElevationInput {
  elevation: Elevation;
  uid: number;
  gid: number;
  env: NodeJS.ProcessEnv;
  /** A terminal is there to answer sudo's password prompt (CLI). */
  interactive: boolean;
  /** The node running us (process.execPath; Electron's binary in the app). */
  nodePath: string;
  /** This checkout's or package's own helper bundle (dist/helper.cjs). */
  helperPath: string;
  findTool: (name: string) => string | null;
  /** The installed helper; default: what is at /usr/lib/vethscope now. */
  installed?: InstalledHelper | null;
  /** Whether this process is in a group (as sudo sees it); default: its own group list. */
  inGroup?: (group: string) => boolean;
  /** Who else could change a file, as text; default: file-trust's walk. */
  problemsOf?: (path: string) => string[];
  exists?: (path: string) => boolean;
}

export interface LaunchPlan {
  mode: ElevationMode;
  /** Which program runs elevated: the installed helper, or the bundle beside this code. */
  helper: 'installed' | 'checkout';
  argv: string[];
  env: NodeJS.ProcessEnv;
}

const problemsOf = (path: string) => whoElseCanChange(path).map(describeProblem);
const isDesktop = (env: NodeJS.ProcessEnv) => Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
const uidOf = (s: string | undefined) => (s !== undefined && /^\d{1,10}$/.test(s) ? Number(s) : null);

/** Where to get the helper installed, said the way this copy of vethscope was installed. */
export function installAdvice(env: NodeJS.ProcessEnv = process.env): string {
  return `run: ${installCommand(env.APPIMAGE ? 'appimage' : 'checkout', vethscopeVersion())}`;
}

/** An AppImage or an app.asar is not a checkout: its helper lives in a file its user owns, never elevated. */
const isPackagedApp = (i: ElevationInput) => Boolean(i.env.APPIMAGE) || /\.asar(\.unpacked)?\//.test(i.helperPath);

function baseEnv(): NodeJS.ProcessEnv {
  // glibc raises its mmap threshold after the helper frees its buffers; the pipe chunks then
  // fragment the heap and RSS creeps up capture after capture (sudo's env_reset drops it).
  return { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', MALLOC_MMAP_THRESHOLD_: '131072' };
}

/** Which elevation tool, before looking at which program it will run. */
export function chooseMode(i: ElevationInput, installed: InstalledHelper | null): ElevationMode {
  if (i.elevation !== 'auto') return i.elevation;
  if (i.uid === 0) return 'root';
  const inGroup = i.inGroup ?? ((g: string) => processInGroup(g));
  if (installed?.group && inGroup(installed.group) && i.findTool('sudo')) return 'sudo';
  if (isDesktop(i.env) && !i.interactive && i.findTool('pkexec')) return 'pkexec';
  return 'sudo';
}

/** A root-owned node for a checkout's helper: ours when only root can change it, else the system's. */
function checkoutNode(i: ElevationInput): string {
  const check = i.problemsOf ?? problemsOf;
  const candidates = [...new Set([...(process.versions.electron ? [] : [i.nodePath]), i.findTool('node')].filter((p): p is string => Boolean(p)))];
  for (const node of candidates) if (check(node).length === 0) return node;
  const why = candidates.map((n) => `${n}: ${check(n)[0]}`).join('; ') || 'no node found in the system folders';
  throw new CodedError('HELPER_UNAVAILABLE', `no root-owned node to run this checkout's helper as root (${why}); ${installAdvice(i.env)}`);
}

export function planLaunch(i: ElevationInput): LaunchPlan {
  const installed = i.installed !== undefined ? i.installed : inspectInstalledHelper();
  const mode = chooseMode(i, installed);
  const env = baseEnv();
  const exists = i.exists ?? existsSync;
  if (mode === 'root') {
    const setpriv = i.findTool('setpriv');
    if (!setpriv) throw new CodedError('HELPER_UNAVAILABLE', 'setpriv (util-linux) is not installed');
    if (!exists(i.helperPath)) throw new CodedError('HELPER_UNAVAILABLE', `helper not built: ${i.helperPath} is missing (npm run build)`);
    // Under Electron, process.execPath is the Electron binary: make it behave as node.
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    // Root that came through sudo: files still belong to the person behind it. Passed as --user
    // (not SUDO_UID), so the helper knows root started it directly and skips its trust check.
    const su = uidOf(i.env.SUDO_UID);
    const sg = uidOf(i.env.SUDO_GID);
    const who = su !== null ? `${su}:${sg ?? su}` : `${i.uid}:${i.gid}`;
    return { mode, helper: 'checkout', env, argv: [setpriv, '--pdeathsig', 'TERM', '--', i.nodePath, NODE_IDLE_FLAG, i.helperPath, '--user', who] };
  }
  const tool = i.findTool(mode);
  if (!tool) throw new CodedError('HELPER_UNAVAILABLE', `${mode} is not installed: cannot start the privileged helper`);
  if (installed) {
    if (installed.problems.length) {
      throw new CodedError('HELPER_UNAVAILABLE', `the installed helper ${installed.path} is not safe to run as root: ${installed.problems[0]}; fix that (e.g. sudo chmod go-w PATH, sudo chown root: PATH) or install it again: ${installCommand()}`);
    }
    if (mode === 'pkexec') return { mode, helper: 'installed', env, argv: [tool, installed.path] };
    // No arguments at all: the group rule allows exactly `HELPER ""`.
    const inGroup = installed.group !== null && (i.inGroup ?? ((g: string) => processInGroup(g)))(installed.group);
    return { mode, helper: 'installed', env, argv: [tool, ...(i.interactive && !inGroup ? [] : ['-n']), '--', installed.path] };
  }
  if (isPackagedApp(i)) throw new CodedError('HELPER_UNAVAILABLE', `the privileged helper is not installed; ${installAdvice(i.env)}`);
  // A development checkout: never through a standing rule, so never sudo -n.
  if (!exists(i.helperPath)) throw new CodedError('HELPER_UNAVAILABLE', `helper not built: ${i.helperPath} is missing (npm run build)`);
  if (mode === 'sudo' && !i.interactive) {
    throw new CodedError('HELPER_UNAVAILABLE', `no installed helper, and no terminal to ask for a password (a checkout's helper is never started without one); ${installAdvice(i.env)}`);
  }
  const node = checkoutNode(i);
  if (mode === 'pkexec') return { mode, helper: 'checkout', env, argv: [tool, node, i.helperPath, DEV_CHECKOUT_FLAG] };
  return { mode, helper: 'checkout', env, argv: [tool, '-k', '--', node, i.helperPath, DEV_CHECKOUT_FLAG] };
}

/** What to do about a refusal, from what is installed. */
function refusalFix(mode: ElevationMode, installed: InstalledHelper | null, env: NodeJS.ProcessEnv): string {
  if (!installed) return installAdvice(env);
  if (installed.group) return `to start it without a password, join the group ${installed.group}: sudo adduser ${env.USER || env.LOGNAME || '$USER'} ${installed.group} (then log in again)`;
  return mode === 'sudo' ? `let a group start it without a password: ${installCommand()}` : 'an administrator must authenticate to start it';
}

/** Why the helper never said hello, from the elevation tool's exit and words. */
export function classifyLaunchFailure(mode: ElevationMode, code: number | null, stderr: string, installed: InstalledHelper | null = inspectInstalledHelper(), env: NodeJS.ProcessEnv = process.env): CodedError {
  const said = stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${code}`;
  if (code === HELPER_EXIT_UNTRUSTED && /refusing to run as root/.test(stderr)) {
    return new CodedError('HELPER_UNAVAILABLE', `the helper refused to run: ${stderr.trim().split('\n').pop()!.replace(/^vethscope-helper: /, '')}`);
  }
  if (mode === 'sudo' && /password is required|not allowed to execute|not in the sudoers|incorrect password|a terminal is required|no tty present/i.test(stderr)) {
    return new CodedError('HELPER_REFUSED', `sudo refused to start the helper: ${said}; ${refusalFix(mode, installed, env)}`);
  }
  if (mode === 'pkexec') {
    // pkexec also exits 127 when polkit itself is missing: that is not a refusal.
    if (/authority|could not connect|polkit|dbus|no session for/i.test(stderr)) return new CodedError('HELPER_UNAVAILABLE', `polkit is not usable here: ${said}`);
    if (code === 126 || code === 127) return new CodedError('HELPER_REFUSED', `authentication was cancelled or refused (pkexec exit ${code}); ${refusalFix(mode, installed, env)}`);
  }
  return new CodedError('HELPER_UNAVAILABLE', `the helper did not start (${mode}): ${said}`);
}

export interface ElevationDefaults {
  elevation?: Elevation;
  interactive?: boolean;
  helperPath: string;
  nodePath?: string;
  findTool: (name: string) => string | null;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** The input HelperClient builds from its options, for whoever wants to know the plan without launching (doctor). */
export function elevationInput(o: ElevationDefaults): ElevationInput {
  return {
    elevation: o.elevation ?? 'auto',
    uid: o.uid ?? process.getuid?.() ?? -1,
    gid: o.gid ?? process.getgid?.() ?? -1,
    env: o.env ?? process.env,
    interactive: o.interactive ?? false,
    nodePath: o.nodePath ?? process.execPath,
    helperPath: o.helperPath,
    findTool: o.findTool,
  };
}
