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
