// `sudo vethscope capture ...`: a person typed sudo, but the captures are theirs. Root is
// kept only long enough to start the helper directly (it learns who asked from
// SUDO_UID); then this process becomes that person for good (groups, gid, uid), so the
// backend writes their files in their home, like every unprivileged run.
import { readFileSync } from 'node:fs';

export interface SudoUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const num = (s: string | undefined): number | null => (s !== undefined && /^\d{1,10}$/.test(s) ? Number(s) : null);

/** The person behind `sudo`, when we are root because of it (not when root itself ran sudo). */
export function sudoUser(env: NodeJS.ProcessEnv, euid = process.geteuid?.() ?? -1, passwd = '/etc/passwd'): SudoUser | null {
  const uid = num(env.SUDO_UID);
  if (euid !== 0 || uid === null || uid === 0) return null;
  let text = '';
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && num(f[2]) === uid) return { name: f[0]!, uid, gid: num(env.SUDO_GID) ?? num(f[3]) ?? uid, home: f[5] || '/' };
  }
  return null;
}

/** Become `u` for good: root cannot be regained afterwards (real, effective and saved ids all change). */
export function becomeUser(u: SudoUser): void {
  (process as unknown as { initgroups(user: string, gid: number): void }).initgroups(u.name, u.gid);
  process.setgid!(u.gid);
  process.setuid!(u.uid);
}

/** The environment the person would have had: their HOME and names, no sudo variables. */
export function userEnv(env: NodeJS.ProcessEnv, u: SudoUser): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, HOME: u.home, USER: u.name, LOGNAME: u.name };
  for (const k of ['SUDO_UID', 'SUDO_GID', 'SUDO_USER', 'SUDO_COMMAND']) delete out[k];
  return out;
}
