// Many namespaces' sysfs and /proc/PID/net files (~13 per namespace) read ahead by grep
// (grep-read.ts) while this process talks to Docker and reads the engines' files.
import { readFilesByGrep } from './grep-read';
import { readNamespaceSysfs, readNow, sysfsFilesOf, sysfsNames, type FileSource, type SysfsResult } from './sysfs-read';

async function readAhead(paths: string[]): Promise<FileSource | null> {
  const files = await readFilesByGrep(paths);
  if (!files) return null;
  // Trimmed, as the in-process reads give them. An empty file is absent here and '' in-process:
  // no file we read is required to be empty, so both are "no value" (null). A file not read
  // ahead (a renamed loopback's, a tun's flags) is read now. One lookup for most reads.
  const texts = new Map<string, string | null>(paths.map((p) => [p, null]));
  for (const [p, t] of files) if (texts.has(p)) texts.set(p, t.trim());
  return (p) => {
    const t = texts.get(p);
    return t !== undefined ? t : readNow(p);
  };
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
  const src = names.size > 1 ? await readAhead([...names].flatMap(([pid, n]) => sysfsFilesOf(pid, n))) : null;
  for (const [pid, n] of names) results.set(pid, readNamespaceSysfs(pid, src ?? undefined, n));
  return results;
}
