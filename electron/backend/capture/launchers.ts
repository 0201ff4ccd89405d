// Desktop launchers: Wireshark for a file, the file manager for a folder.
// Found on PATH (the user's own install), spawned detached with an argv array. They open
// windows on the host vethscope runs on: without a display there (browser mode on a
// server) nothing can appear, and we say so instead of reporting a launch.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How long a launcher may take to fail by itself (xdg-open without a file manager exits 3 or 4 at once). */
const EARLY_EXIT_MS = 1500;

export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir.startsWith('/')) continue; // a relative PATH entry could be anything in the cwd
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      /* next */
    }
  }
  return null;
}

/** Why no window can open on this host, or null when there is a display. */
export function noDisplay(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'no display on the host vethscope runs on ($DISPLAY and $WAYLAND_DISPLAY are unset): nothing can open a window there; use Save as… to download the file';
}

export function launchers(env: NodeJS.ProcessEnv = process.env): { wireshark: boolean; fileManager: boolean; reason?: string } {
  const display = noDisplay(env);
  if (display) return { wireshark: false, fileManager: false, reason: display };
  const wireshark = onPath('wireshark', env) !== null;
  const fileManager = onPath('xdg-open', env) !== null;
  const missing = [wireshark ? null : 'Wireshark', fileManager ? null : 'xdg-open (a file manager)'].filter(Boolean);
  return missing.length ? { wireshark, fileManager, reason: `not installed: ${missing.join(', ')}` } : { wireshark, fileManager };
}

export interface LaunchResult {
  launched: boolean;
  /** Why not, when launched is false. */
  reason?: string;
}

/**
 * Spawn detached. Not launched (with the reason) without a display, when the program is
 * missing, when it cannot start, or when it exits with an error right away.
 */
export function launch(program: string, args: string | readonly string[], env: NodeJS.ProcessEnv = process.env, earlyExitMs = EARLY_EXIT_MS): Promise<LaunchResult> {
  const display = noDisplay(env);
  if (display) return Promise.resolve({ launched: false, reason: display });
  const path = onPath(program, env);
  if (!path) return Promise.resolve({ launched: false, reason: `${program} is not installed (not found on PATH)` });
  return new Promise((resolve) => {
    const child = spawn(path, typeof args === 'string' ? [args] : [...args], { detached: true, stdio: 'ignore', env, shell: false });
    let timer: NodeJS.Timeout | null = null;
    child.once('error', (err) => resolve({ launched: false, reason: `${program} could not start: ${err.message}` }));
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve(code === 0 ? { launched: true } : { launched: false, reason: `${program} failed (${signal ?? `exit ${code}`})` });
    });
    child.once('spawn', () => {
      // Still running after a moment (Wireshark's window), or it handed off and exited 0: launched.
      timer = setTimeout(() => {
        child.unref();
        resolve({ launched: true });
      }, earlyExitMs);
      timer.unref();
    });
  });
}
