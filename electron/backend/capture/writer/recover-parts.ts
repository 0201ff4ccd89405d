// A pcapng capture of several interfaces is merged from its parts when it ends. If the
// process writing it is killed first (SIGKILL, a crash, power), the capture file holds only
// the first interface and the rest waits in `.NAME.parts/`. The parts folder names its owner
// (pid and the process's start time, so a reused pid is not mistaken for it); the next
// listing of the captures folder finishes the merge of every folder whose owner is gone.
//
// Nothing in the folder is trusted: only our own, real (not symlinked) folders and files,
// with the names we give them, are read; the merge writes a new file and renames it.
import { closeSync, constants, ftruncateSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeParts } from './merge-parts';
import { PcapngTail } from './pcapng-tail';

export const MERGED_NAME = 'merged.pcapng';
const OWNER_NAME = 'owner.json';
const PART_NAME = /^\d{3}\.pcapng$/;
const PARTS_DIR = /^\.(.+\.pcapng)\.parts$/;
/** A folder this young without its owner record may be a capture starting right now. */
const OWNERLESS_GRACE_MS = 60_000;

/** The start time of a process in clock ticks since boot (/proc/PID/stat field 22), or null. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Record this process as the writer of the parts folder `dir`. */
export function writePartsOwner(dir: string): void {
  const body = JSON.stringify({ pid: process.pid, start: processStart(process.pid) });
  const fd = openSync(join(dir, OWNER_NAME), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeFileSync(fd, body);
  } finally {
    closeSync(fd);
  }
}

function ownerAlive(dir: string): boolean {
  let owner: { pid?: unknown; start?: unknown };
  try {
    const fd = openSync(join(dir, OWNER_NAME), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      owner = JSON.parse(readFileSync(fd, 'utf8'));
    } finally {
      closeSync(fd);
    }
  } catch {
    try {
      return Date.now() - statSync(dir).mtimeMs < OWNERLESS_GRACE_MS;
    } catch {
      return true;
    }
  }
  if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  const start = processStart(owner.pid);
  return start !== null && start === owner.start;
}

const ours = (path: string, kind: 'file' | 'dir'): boolean => {
  try {
    const st = lstatSync(path);
    return (kind === 'file' ? st.isFile() : st.isDirectory()) && st.uid === process.getuid?.();
  } catch {
    return false;
  }
};

/** A part's whole blocks: where they end, its packet count, whether it has an interface at all. */
function walkPart(path: string): { end: number; packets: number; usable: boolean; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const t = new PcapngTail(fd);
    t.walk(Number.POSITIVE_INFINITY); // up to the last whole block (or the first damaged one)
    return { end: t.boundary, packets: t.packets, usable: t.iface !== null, size: t.size() };
  } finally {
    closeSync(fd);
  }
}

/** Finish one interrupted capture. Returns false when it is not ours to finish. */
async function recoverOne(folder: string, dirName: string, fileName: string): Promise<boolean> {
  const dir = join(folder, dirName);
  const file = join(folder, fileName);
  if (!ours(dir, 'dir') || !ours(file, 'file') || ownerAlive(dir)) return false;
  rmSync(join(dir, MERGED_NAME), { force: true }); // a merge cut short
  const names = readdirSync(dir).filter((n) => PART_NAME.test(n) && ours(join(dir, n), 'file')).sort();
  const parts = [file, ...names.map((n) => join(dir, n))].map((path) => ({ path, ...walkPart(path) })).filter((p) => p.usable);
  if (parts.length === 1) {
    const only = parts[0]!;
    if (only.path === file) {
      if (only.size > only.end) truncate(file, only.end); // a block cut by the kill
    } else {
      truncate(only.path, only.end);
      renameSync(only.path, file);
    }
  } else if (parts.length > 1) {
    const merged = join(dir, MERGED_NAME);
    await mergeParts(
      parts.map((p) => ({ path: p.path, end: p.end, received: p.packets, dropped: 0 })),
      merged,
      'vethscope: merged after the capturing process ended before it could (its counters are lost)',
    );
    renameSync(merged, file);
  }
  rmSync(dir, { recursive: true, force: true });
  return true;
}

function truncate(path: string, length: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    ftruncateSync(fd, length);
  } finally {
    closeSync(fd);
  }
}

/** Finish every capture in `folder` whose writer died before merging it. Returns their file names. */
export async function recoverInterruptedCaptures(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const name of names) {
    const m = PARTS_DIR.exec(name);
    if (!m || m[1]!.startsWith('.')) continue;
    try {
      if (await recoverOne(folder, name, m[1]!)) done.push(m[1]!);
    } catch {
      /* left as it is: the parts are readable pcapng files */
    }
  }
  return done;
}
