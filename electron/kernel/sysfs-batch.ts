// Many namespaces' sysfs and /proc/PID/net files read by one or two child processes: ~13 small
// files per namespace cost ~35 us each in-process (100 containers: ~45 ms of the discovery's one
// thread); `grep` reads them on the other core while this process talks to Docker and reads
// the engines' files. Output is NUL-separated (`-Z`), so no name or content can be misread as a
// separator; a file grep cannot open is simply absent, as a failed read is in-process.
import { execFileResult, findTool, mapPool } from '../util/exec';
import { readNamespaceSysfs, readNow, sysfsFilesOf, sysfsNames, type FileSource, type SysfsResult } from './sysfs-read';

/** Paths per grep: far under ARG_MAX (2 MiB) at ~60 bytes a path. */
const CHUNK = 4000;
/** From this many files, two greps share them: each file costs ~26 us to read, and one grep was the discovery's longest wait. */
const SPLIT_FROM = 400;

/** Each file's lines (trimmed, as the in-process reads give them), keyed by path. One pass: the output is ~4 kB per namespace. */
export function parseGrepZ(out: string): Map<string, string> {
  const files = new Map<string, string>();
  for (let pos = 0; pos < out.length; ) {
    let end = out.indexOf('\n', pos);
    if (end < 0) end = out.length;
    const nul = out.indexOf('\0', pos);
    if (nul >= 0 && nul < end) {
      const path = out.slice(pos, nul);
      const line = out.slice(nul + 1, end);
      const before = files.get(path);
      files.set(path, before === undefined ? line : `${before}\n${line}`);
    }
    pos = end + 1;
  }
  for (const [path, text] of files) files.set(path, text.trim());
  return files;
}

async function readFiles(grep: string, paths: string[]): Promise<FileSource | null> {
  const size = Math.min(CHUNK, paths.length >= SPLIT_FROM ? Math.ceil(paths.length / 2) : paths.length);
  const chunks: string[][] = [];
  for (let i = 0; i < paths.length; i += size) chunks.push(paths.slice(i, i + size));
  // -a: text whatever the bytes; -s: unreadable files are skipped silently; '' matches every line.
  const outs = await mapPool(chunks, 2, (c) => execFileResult(grep, ['-a', '-s', '-H', '-Z', '-e', '', '--', ...c], { timeoutMs: 10_000, env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } }));
  // 0: lines found, 1: none, 2: some file unreadable (expected: master...). A signal: nothing is known.
  if (outs.some((o) => o.signal !== null || o.code === null || o.code > 2)) return null;
  const files = new Map<string, string>();
  for (const o of outs) for (const [p, t] of parseGrepZ(o.stdout)) files.set(p, t);
  const asked = new Set(paths);
  // grep prints nothing for an empty file: an opened empty file reads as '' in-process, and
  // no file we read is required to be empty, so absent and empty are both "no value" here.
  // A file not read ahead (a renamed loopback's, a tun's flags) is read now.
  return (p) => (asked.has(p) ? (files.get(p) ?? null) : readNow(p));
}

/**
 * readNamespaceSysfs for each pid, the files read ahead in one go by grep where it exists (else
 * in-process, one after another). Each result is judged exactly as an in-process read is.
 */
export async function readNamespacesSysfs(pids: number[]): Promise<Map<number, SysfsResult>> {
  const results = new Map<number, SysfsResult>();
  const names = new Map<number, string[]>();
  for (const pid of pids) {
    try {
      names.set(pid, sysfsNames(pid));
    } catch (e) {
      results.set(pid, { ok: false, error: (e as Error).message });
    }
  }
  const grep = findTool('grep');
  const src = grep && names.size > 1 ? await readFiles(grep, [...names].flatMap(([pid, n]) => sysfsFilesOf(pid, n))).catch(() => null) : null;
  for (const [pid, n] of names) results.set(pid, readNamespaceSysfs(pid, src ?? undefined, n));
  return results;
}
