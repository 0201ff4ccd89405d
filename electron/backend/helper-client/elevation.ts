// How the unprivileged app gets its one root helper, and what a failure means.
//   root:   setpriv --pdeathsig TERM -- NODE HELPER --user UID:GID  (dies with us)
//   sudo:   sudo -n -- NODE HELPER   (-n dropped when a tty may prompt, for the CLI)
//   pkexec: pkexec NODE HELPER       (polkit action build/org.vethscope.helper.policy)
// NODE and HELPER are absolute paths: sudoers and polkit match exactly those.
import { CodedError } from '../../../shared/result';

export type ElevationMode = 'root' | 'sudo' | 'pkexec';
export type Elevation = 'auto' | ElevationMode;

export interface ElevationInput {
  elevation: Elevation;
  uid: number;
  gid: number;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  nodePath: string;
  helperPath: string;
  findTool: (name: string) => string | null;
}

export interface LaunchPlan {
  mode: ElevationMode;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

export function chooseMode(i: Pick<ElevationInput, 'elevation' | 'uid' | 'env' | 'interactive' | 'findTool'>): ElevationMode {
  if (i.elevation !== 'auto') return i.elevation;
  if (i.uid === 0) return 'root';
  const desktop = Boolean(i.env.DISPLAY || i.env.WAYLAND_DISPLAY);
  if (desktop && !i.interactive && i.findTool('pkexec')) return 'pkexec';
  return 'sudo';
}

export function planLaunch(i: ElevationInput): LaunchPlan {
  const mode = chooseMode(i);
  const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
  // glibc raises its mmap threshold after the helper frees its 4 MiB write slabs;
  // the pipe chunks then fragment the heap and RSS creeps up capture after capture.
  env.MALLOC_MMAP_THRESHOLD_ = '131072';
  // Under Electron, process.execPath is the Electron binary: make it behave as node.
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  if (mode === 'root') {
    const setpriv = i.findTool('setpriv');
    if (!setpriv) throw new CodedError('HELPER_UNAVAILABLE', 'setpriv (util-linux) is not installed');
    // Root that came through sudo: files still belong to the person behind it.
    if (i.env.SUDO_UID) Object.assign(env, { SUDO_UID: i.env.SUDO_UID, SUDO_GID: i.env.SUDO_GID });
    return { mode, env, argv: [setpriv, '--pdeathsig', 'TERM', '--', i.nodePath, i.helperPath, '--user', `${i.uid}:${i.gid}`] };
  }
  const tool = i.findTool(mode);
  if (!tool) throw new CodedError('HELPER_UNAVAILABLE', `${mode} is not installed: cannot start the privileged helper`);
  if (mode === 'sudo') return { mode, env, argv: [tool, ...(i.interactive ? [] : ['-n']), '--', i.nodePath, i.helperPath] };
  return { mode, env, argv: [tool, i.nodePath, i.helperPath] };
}

/** Why the helper never said hello, from the elevation tool's exit and words. */
export function classifyLaunchFailure(mode: ElevationMode, code: number | null, stderr: string): CodedError {
  const said = stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${code}`;
  if (mode === 'sudo' && /password is required|not allowed to execute|not in the sudoers|incorrect password|a terminal is required|no tty present/i.test(stderr)) {
    return new CodedError('HELPER_REFUSED', `sudo refused to start the helper: ${said}`);
  }
  if (mode === 'pkexec') {
    // pkexec also exits 127 when polkit itself is missing: that is not a refusal.
    if (/authority|could not connect|polkit|dbus|no session for/i.test(stderr)) return new CodedError('HELPER_UNAVAILABLE', `polkit is not usable here: ${said}`);
    if (code === 126 || code === 127) return new CodedError('HELPER_REFUSED', `authentication was cancelled or refused (pkexec exit ${code})`);
  }
  return new CodedError('HELPER_UNAVAILABLE', `the helper did not start (${mode}): ${said}`);
}
