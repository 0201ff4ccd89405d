// Desktop launchers: Wireshark for a file, the file manager for a folder.
// Found on PATH (the user's own install), spawned detached with an argv array.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

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

export function launchers(env: NodeJS.ProcessEnv = process.env): { wireshark: boolean; fileManager: boolean } {
  return { wireshark: onPath('wireshark', env) !== null, fileManager: onPath('xdg-open', env) !== null };
}

/** Spawn detached; resolves false when the program is missing or fails to start. */
export function launch(program: string, arg: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const path = onPath(program, env);
  if (!path) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(path, [arg], { detached: true, stdio: 'ignore', env, shell: false });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
