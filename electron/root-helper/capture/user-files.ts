// Files the helper makes on someone's behalf are made AS them: effective uid,
// gid and groups switch to the invoking user around open/unlink, so the
// kernel does their permission check and the file is theirs. Root's own
// identity returns before anything else runs (Node is single-threaded here;
// glibc applies set*id to every thread).
import { constants, openSync, unlinkSync } from 'node:fs';
import { CodedError } from '../../../shared/result';
import type { Invoker } from '../identity';

function asUser<T>(inv: Invoker, fn: () => T): T {
  if (process.geteuid?.() !== 0 || inv.uid === 0) return fn();
  const groups = process.getgroups!();
  try {
    try {
      (process as unknown as { initgroups(u: number, g: number): void }).initgroups(inv.uid, inv.gid);
    } catch {
      process.setgroups!([inv.gid]); // a uid without a passwd entry: its gid only
    }
    process.setegid!(inv.gid);
    process.seteuid!(inv.uid);
    return fn();
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
    process.setgroups!(groups);
  }
}

export function fsError(e: unknown, path: string): CodedError {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CodedError('PERMISSION_DENIED', `cannot write ${path}: permission denied (${code})`);
    case 'ELOOP':
      return new CodedError('PERMISSION_DENIED', `${path} is a symbolic link: refusing to follow it`);
    case 'EEXIST':
      return new CodedError('INVALID_INPUT', `${path} already exists: refusing to overwrite it`);
    case 'ENOENT':
    case 'ENOTDIR':
      return new CodedError('NOT_FOUND', `cannot create ${path}: no such directory`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new CodedError('DISK_FULL', `no space left for ${path} (${code})`);
    default:
      return new CodedError('INTERNAL', `cannot create ${path}: ${(e as Error).message}`);
  }
}

/** Create a new file (never an existing one, never through a symlink) as the invoking user. */
/** `readable`: O_RDWR (a direct capture reads back what tcpdump wrote). */
export function createAsUser(inv: Invoker, path: string, readable = false): number {
  const flags = (readable ? constants.O_RDWR : constants.O_WRONLY) | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    return asUser(inv, () => openSync(path, flags, 0o640));
  } catch (e) {
    throw fsError(e, path);
  }
}

export function unlinkAsUser(inv: Invoker, path: string): void {
  try {
    asUser(inv, () => unlinkSync(path));
  } catch {
    /* already gone, or they moved it: nothing to do */
  }
}
