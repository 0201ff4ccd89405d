// Who asked for the helper: files it writes belong to that person and the
// permission check on the output path is theirs. Taken only from what the
// elevation tool itself set (sudo: SUDO_UID/SUDO_GID, pkexec: PKEXEC_UID) or,
// when started directly by root, from `--user UID:GID` (root can be anyone).
// Request params are never consulted.
import { readFileSync } from 'node:fs';

export interface Invoker {
  uid: number;
  gid: number;
  via: 'sudo' | 'pkexec' | 'argv' | 'root';
}

const num = (s: string | undefined): number | null => (s !== undefined && /^\d{1,10}$/.test(s) ? Number(s) : null);

/** Primary gid of `uid` from /etc/passwd (pkexec does not pass one). */
export function passwdGid(uid: number, passwd = '/etc/passwd'): number | null {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 4 && num(f[2]) === uid) return num(f[3]);
  }
  return null;
}

export function resolveInvoker(env: NodeJS.ProcessEnv, argv: readonly string[], passwd?: string): Invoker {
  const pk = num(env.PKEXEC_UID);
  if (pk !== null) return { uid: pk, gid: passwdGid(pk, passwd) ?? pk, via: 'pkexec' };
  const su = num(env.SUDO_UID);
  const sg = num(env.SUDO_GID);
  if (su !== null) return { uid: su, gid: sg ?? passwdGid(su, passwd) ?? su, via: 'sudo' };
  const i = argv.indexOf('--user');
  const m = i >= 0 ? /^(\d{1,10}):(\d{1,10})$/.exec(argv[i + 1] ?? '') : null;
  if (m) return { uid: Number(m[1]), gid: Number(m[2]), via: 'argv' };
  return { uid: 0, gid: 0, via: 'root' };
}
