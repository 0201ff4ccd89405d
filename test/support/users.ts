// Test users for what must happen as a normal user (root only; each suite removes its own).
import { execFileSync, spawnSync } from 'node:child_process';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** Remove the user and its home again (only if this call created it). */
  remove(): void;
}

const idOf = (flag: '-u' | '-g', name: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());

/** A system user with a home folder; created when missing. */
export function ensureTestUser(name: string): TestUser {
  const exists = spawnSync('id', ['-u', name]).status === 0;
  if (!exists) execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', '--user-group', name]);
  return {
    name,
    uid: idOf('-u', name),
    gid: idOf('-g', name),
    remove: () => {
      if (!exists) spawnSync('userdel', ['--remove', name]);
    },
  };
}

/**
 * A user this suite owns outright: one left by an interrupted earlier run (its processes,
 * home and per-user state such as rootless Podman's storage) is removed first, so nothing
 * of that run is taken for this one's; remove() always deletes it.
 */
export function freshTestUser(name: string): TestUser {
  if (spawnSync('id', ['-u', name]).status === 0) {
    const uid = idOf('-u', name);
    spawnSync('pkill', ['-9', '-u', String(uid)]);
    spawnSync('userdel', ['--force', '--remove', name]);
    spawnSync('rm', ['-rf', `/tmp/podman-run-${uid}`, `/run/user/${uid}`]);
  }
  const user = ensureTestUser(name);
  return { ...user, remove: () => void spawnSync('userdel', ['--force', '--remove', name]) };
}
