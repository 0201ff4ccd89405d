// Entering a namespace by handle: open the path, check the open file is the
// namespace the handle names (inode), and hand that fd to nsenter as
// /proc/self/fd/3. Checking the fd (not the path) leaves no window in which
// the path could be swapped for another namespace, and the open fd keeps the
// namespace alive while tcpdump starts in it.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { CodedError } from '../../shared/result';

export interface NetnsHandleLike {
  inode: number;
  path: string;
}

/** The fd number the namespace gets in the child (stdio 0-2, then this). */
export const CHILD_NS_FD = 3;

export function openNetns(h: NetnsHandleLike): number {
  let fd: number;
  try {
    // libuv opens with O_CLOEXEC; spawn dup2s it into the child on purpose.
    fd = openSync(h.path, constants.O_RDONLY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const c = code === 'ENOENT' || code === 'ESRCH' ? 'TARGET_GONE' : code === 'EACCES' || code === 'EPERM' ? 'PERMISSION_DENIED' : 'NOT_FOUND';
    throw new CodedError(c, `namespace ${h.path}: ${code ?? String(e)}`);
  }
  const st = fstatSync(fd);
  if (st.ino !== h.inode) {
    closeSync(fd);
    throw new CodedError('TARGET_GONE', `namespace ${h.path} is now inode ${st.ino}, not ${h.inode} (the process or mount changed)`);
  }
  return fd;
}

/** argv prefix that runs a tool inside the namespace passed as fd CHILD_NS_FD. */
export function nsenterPrefix(nsenter: string): string[] {
  return [nsenter, `--net=/proc/self/fd/${CHILD_NS_FD}`, '--'];
}
