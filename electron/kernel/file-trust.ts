// Who besides root could change a file: its owner, its mode bits, and the same for
// every folder above it (whoever may write a folder may rename the file away and put
// another in its place). Used by the helper on itself before it runs elevated, and by
// the unprivileged side to tell whether the installed helper is safe to elevate.
//
// Cheap on purpose (one lstat per path component), and what it cannot see it says:
// - ACLs: with an ACL the mode's group bits are the ACL mask, the upper bound of every
//   named user and group entry; group-write clear in the mask means no entry can write.
// - A sticky folder writable by all (/tmp) is fine when root owns it: only a child's
//   owner may rename or remove that child, and the child is checked in turn.
import { lstatSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TrustStat {
  uid: number;
  gid: number;
  mode: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSocket(): boolean;
}

export interface TrustFs {
  realpath(path: string): string;
  lstat(path: string): TrustStat;
}

export const realFs: TrustFs = { realpath: (p) => realpathSync(p), lstat: (p) => lstatSync(p) };

export interface TrustProblem {
  /** The path whose owner or mode lets someone else change the file. */
  path: string;
  why: string;
}

export interface TrustOptions {
  /** Besides root, the one uid that may own these paths (the person a dev checkout belongs to). */
  alsoOwner?: number;
  /**
   * What the path must be: a regular file (default), or a socket, whose write bit means
   * "may connect", not "may change": only its owner and its folders matter.
   */
  kind?: 'file' | 'socket';
}

const S_ISVTX = 0o1000;

/**
 * Problems that let someone other than root (or `alsoOwner`) change `file`: its real path
 * (symlinks resolved) and every folder above it. Empty when only root can.
 */
export function whoElseCanChange(file: string, opts: TrustOptions = {}, fs: TrustFs = realFs): TrustProblem[] {
  let real: string;
  try {
    real = fs.realpath(file);
  } catch (e) {
    return [{ path: file, why: `cannot be resolved (${(e as NodeJS.ErrnoException).code ?? String(e)})` }];
  }
  const problems: TrustProblem[] = [];
  const owners = new Set([0, ...(opts.alsoOwner !== undefined ? [opts.alsoOwner] : [])]);
  for (let p = real, first = true; ; p = dirname(p), first = false) {
    let st: TrustStat;
    try {
      st = fs.lstat(p);
    } catch (e) {
      problems.push({ path: p, why: `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
      break;
    }
    const socket = first && opts.kind === 'socket';
    if (first && !(socket ? st.isSocket() : st.isFile())) problems.push({ path: p, why: socket ? 'is not a socket' : 'is not a regular file' });
    if (!first && !st.isDirectory()) problems.push({ path: p, why: 'is not a folder' });
    if (!owners.has(st.uid)) problems.push({ path: p, why: `is owned by uid ${st.uid}, not root` });
    // Sticky and root's: others may add entries but not replace ours (checked on the way down).
    const stickyRoot = !first && st.mode & S_ISVTX && st.uid === 0;
    if (!stickyRoot && !socket) {
      if (st.mode & 0o002) problems.push({ path: p, why: 'is writable by everyone' });
      if (st.mode & 0o020) problems.push({ path: p, why: `is writable by its group (gid ${st.gid})` });
    }
    if (p === dirname(p)) break;
  }
  // Report from the top down: the folder nearest / is the one to fix first.
  return problems.reverse();
}

export const describeProblem = (p: TrustProblem): string => `${p.path} ${p.why}`;
