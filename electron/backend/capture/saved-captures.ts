// Captures on disk: the sidecar FILE.json written when a capture ends, and the
// listing of *.pcapng / *.pcap files already in the captures folder.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CaptureInfo } from '../../../shared/capture';

export const sidecarPath = (file: string) => `${file}.json`;
const CAPTURE_FILE = /\.(pcapng|pcap)(\d*)$/;

/** Id of a capture known only from its file: stable across runs, within the API's 128 chars. */
export const fileCaptureId = (file: string) => `file:${basename(file)}`.slice(0, 128);

export async function writeSidecar(info: CaptureInfo): Promise<void> {
  const first = info.files[0];
  if (!first) return;
  // Best effort: a read-only folder must not turn a good capture into an error.
  await writeFile(sidecarPath(first), `${JSON.stringify({ vethscope: 1, ...info }, null, 2)}\n`, { mode: 0o644 }).catch(() => undefined);
}

async function fromFile(dir: string, name: string): Promise<CaptureInfo | null> {
  const file = join(dir, name);
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return null;
  const side = await readFile(sidecarPath(file), 'utf8').then(
    (t) => CaptureInfo.safeParse(JSON.parse(t)),
    () => null,
  );
  if (side?.success) {
    const existing = side.data.files.filter((f) => f === file || f.startsWith(dir));
    return { ...side.data, id: fileCaptureId(file), files: existing.length ? existing : [file], state: side.data.state === 'failed' ? 'failed' : 'stopped' };
  }
  return {
    id: fileCaptureId(file),
    state: 'stopped',
    reason: null,
    error: null,
    format: name.includes('.pcapng') ? 'pcapng' : 'pcap',
    filter: '',
    targets: [],
    interfaces: [],
    files: [file],
    startedAt: st.birthtime.getTime() ? st.birthtime.toISOString() : st.mtime.toISOString(),
    endedAt: st.mtime.toISOString(),
    packets: 0,
    bytes: st.size,
    dropped: 0,
    packetsPerSec: 0,
    bytesPerSec: 0,
    gaps: [],
  };
}

/** Capture files in `dir` not already covered by `known` (files of this session's captures). */
export async function listSaved(dir: string, known: Set<string>): Promise<CaptureInfo[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: CaptureInfo[] = [];
  const covered = new Set(known);
  // Sidecars name every ring file: read those first so ring members are not listed one by one.
  for (const name of names.filter((n) => CAPTURE_FILE.test(n)).sort()) {
    const file = join(dir, name);
    if (covered.has(file)) continue;
    const info = await fromFile(dir, name);
    if (!info) continue;
    for (const f of info.files) covered.add(f);
    out.push(info);
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
