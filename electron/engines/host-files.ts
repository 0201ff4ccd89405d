// How the engine namers read the host: /proc and the engines' state files, through one
// small interface so a unit test hands in a recorded layout instead of this machine.
// Synchronous on purpose: hundreds of tiny procfs reads cost less than a promise each.
import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';

export interface ReadOptions {
  /** Refuse anything longer (a state file is small; a huge one is not what we think it is). */
  maxBytes?: number;
  /**
   * Only a regular file owned by this uid, never through a symlink at its last component:
   * root reads an engine's state file only where that engine's own user wrote it.
   */
  owner?: number;
  /**
   * A procfs file the kernel writes in one go (seq_file single_open: stat, status): a read that
   * returns less than asked returned all of it, so the read that would see EOF is skipped (one
   * syscall of four; the namers read ~370 such files at 100 containers).
   */
  oneRead?: boolean;
}

export interface HostFiles {
  /** Names in a folder; empty when it is missing or unreadable. */
  list(path: string): string[];
  /** A file's text; null when missing, unreadable, too long or not owned as asked. */
  read(path: string, opts?: ReadOptions): string | null;
  /** A symlink's target (/proc/PID/ns/net, /proc/PID/cwd); null when unreadable. */
  readlink(path: string): string | null;
}

const DEFAULT_MAX = 1 << 20;

const scratch = Buffer.allocUnsafe(64 * 1024);

function readBounded(path: string, opts: ReadOptions): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const max = opts.maxBytes ?? DEFAULT_MAX;
    if (opts.owner !== undefined) {
      const st = fstatSync(fd);
      if (!st.isFile() || st.uid !== opts.owner || st.size > max) return null;
    }
    // procfs files report size 0: read until EOF, at most max + 1 bytes, through one scratch
    // buffer (a fresh zeroed 64 KiB per read cost a 100-container scan ~20 ms of memset).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(scratch.length, max + 1 - total);
      const n = readSync(fd, scratch, 0, want, null);
      if (n <= 0) break;
      // The whole file in one read (n < want <= max + 1): decoded from the scratch buffer, no copy.
      if (opts.oneRead && n < want && chunks.length === 0) return scratch.toString('utf8', 0, n);
      chunks.push(Buffer.from(scratch.subarray(0, n)));
      total += n;
      if (total > max) return null;
      if (opts.oneRead && n < want) break;
    }
    return (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export const realHostFiles: HostFiles = {
  list(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  read: (path, opts = {}) => readBounded(path, opts),
  readlink(path) {
    try {
      return readlinkSync(path);
    } catch {
      return null;
    }
  },
};

/** A JSON file's object, or null: engines' files are parsed, never trusted to be well-formed. */
export function readJson(files: HostFiles, path: string, opts?: ReadOptions): Record<string, unknown> | null {
  const text = files.read(path, opts);
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A string field of an untyped object, or null. */
export const str = (o: unknown, key: string): string | null => {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : null;
};
