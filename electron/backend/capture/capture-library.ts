// Captures on disk: the listing of the captures folder, the sidecar FILE.json written
// when a capture ends, and what a person does with a saved one (packets, delete, copy).
//
// Nothing in the folder is trusted: a sidecar is data anyone who can write the folder
// could have planted. So a sidecar holds file *names* only; a name counts only when it
// matches the capture-file pattern and is a regular file (not a symlink) directly in
// the folder; sidecars are written to a new temporary file (O_EXCL|O_NOFOLLOW, 0600)
// and renamed into place, so a planted symlink is replaced, never followed.
import { constants as fsc, lstatSync } from 'node:fs';
import { copyFile, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CaptureInfo, type PacketSummary } from '../../../shared/capture';
import { CodedError, fsFailure } from '../../../shared/result';
import { readPacketFile } from '../../formats/pcap/packet-file-reader';
import type { Summarize } from './capture-record';
import { recoverInterruptedCaptures } from './writer/recover-parts';
import { byText } from '../../../shared/text';

/** A saved capture's packet list: its first packets (the file holds them all; Wireshark shows the rest). */
export const SAVED_PACKETS_LIMIT = 1000;

/** foo.pcapng, foo_00001.pcapng, foo.pcap: no path, no leading dot. */
const CAPTURE_NAME = /^[^./][^/]*\.(pcapng|pcap)$/;
const SIDECAR_VERSION = 2;

export const sidecarPath = (file: string) => `${file}.json`;

/** Id of a capture known only from its file: stable across runs, within the API's 128 chars. */
export const fileCaptureId = (file: string) => `file:${basename(file)}`.slice(0, 128);

/** `dir/name` when name is a capture file's name and a regular file directly in `dir` (lstat: no symlink). */
export function trustedFile(dir: string, name: string): string | null {
  if (!CAPTURE_NAME.test(name) || name.includes('\0')) return null;
  const path = join(dir, name);
  try {
    return lstatSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

/** Write FILE.json beside the capture: names only, never through a link, 0600. Best effort. */
export async function writeSidecar(info: CaptureInfo): Promise<void> {
  const first = info.files[0];
  if (!first) return;
  const dir = dirname(first);
  const body = `${JSON.stringify({ vethscope: SIDECAR_VERSION, ...info, files: info.files.map((f) => basename(f)) }, null, 2)}\n`;
  const tmp = join(dir, `.${basename(first)}.json.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    try {
      await fh.writeFile(body);
    } finally {
      await fh.close();
    }
    await rename(tmp, sidecarPath(first)); // replaces whatever is there (a planted link included) without following it
  } catch {
    await unlink(tmp).catch(() => undefined); // a read-only folder must not turn a good capture into an error
  }
}

export class CaptureLibrary {
  constructor(private readonly dir: string) {}

  private async fromFile(name: string, file: string): Promise<CaptureInfo | null> {
    const st = lstatSync(file);
    const side = await readFile(sidecarPath(file), { encoding: 'utf8', flag: fsc.O_RDONLY | fsc.O_NOFOLLOW }).then(
      (t) => CaptureInfo.safeParse(JSON.parse(t)),
      () => null,
    );
    if (side?.success) {
      // Ring members the sidecar names, only as files really in this folder.
      const files = side.data.files.map((f) => trustedFile(this.dir, basename(f))).filter((f): f is string => f !== null);
      return { ...side.data, id: fileCaptureId(file), files: files.includes(file) ? files : [file, ...files], state: side.data.state === 'failed' ? 'failed' : 'stopped' };
    }
    return {
      id: fileCaptureId(file),
      state: 'stopped',
      reason: null,
      error: null,
      format: name.endsWith('.pcapng') ? 'pcapng' : 'pcap',
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

  /** Capture files in the folder not already covered by `known` (this session's own captures). */
  async list(known: Set<string> = new Set()): Promise<CaptureInfo[]> {
    await recoverInterruptedCaptures(this.dir);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: CaptureInfo[] = [];
    const covered = new Set(known);
    // Sidecars name every ring file: read those first so ring members are not listed one by one.
    for (const name of names.sort()) {
      const file = trustedFile(this.dir, name);
      if (!file || covered.has(file)) continue;
      const info = await this.fromFile(name, file).catch(() => null);
      if (!info) continue;
      for (const f of info.files) covered.add(f);
      out.push(info);
    }
    return out.sort((a, b) => byText(b.startedAt, a.startedAt));
  }

  /** A saved capture by its id (file:NAME). */
  async find(id: string): Promise<CaptureInfo | null> {
    if (!id.startsWith('file:')) return null;
    const name = id.slice('file:'.length);
    const file = trustedFile(this.dir, name);
    if (!file) return null;
    return (await this.list()).find((i) => i.id === id || i.files.includes(file)) ?? (await this.fromFile(name, file));
  }

  /**
   * The first `limit` packets of a finished capture's files (a ring's in order), decoded, numbered
   * from 1 like Wireshark's frames, each with the interface it came in on. Streams the files:
   * headers and heads only, never a whole file. Only files that pass `trustedFile`.
   */
  static async packets(info: CaptureInfo, summarize: Summarize, limit = SAVED_PACKETS_LIMIT): Promise<PacketSummary[]> {
    const out: PacketSummary[] = [];
    for (const f of info.files) {
      if (out.length >= limit) break;
      if (!trustedFile(dirname(f), basename(f))) throw new CodedError('PERMISSION_DENIED', `refusing to read ${f}: not a capture file in its folder`);
      const file = await readPacketFile(f, { limit: limit - out.length }).catch((err: NodeJS.ErrnoException) => {
        if (err.code) throw fsFailure(err.code, f, 'read');
        throw new CodedError('INVALID_INPUT', `${basename(f)} is not a pcap or pcapng file: ${err.message}`);
      });
      for (const p of file.packets) {
        const i = file.interfaces[p.iface];
        const iface = i?.name ?? (file.format === 'pcap' ? (info.interfaces[0]?.label ?? basename(f)) : `#${p.iface}`);
        out.push({ no: out.length + 1, time: p.tsSec + p.tsUsec / 1e6, iface, length: p.origLen, ...summarizeSafely(summarize, i?.linkType ?? 1, p.head, p.origLen) });
      }
    }
    return out;
  }

  /** Delete a capture's files and its sidecar: only files that pass `trustedFile` in their own folder. */
  static async remove(info: CaptureInfo): Promise<string[]> {
    const deleted: string[] = [];
    const first = info.files[0];
    const targets = info.files.map((f) => trustedFile(dirname(f), basename(f)));
    if (targets.some((t) => t === null)) throw new CodedError('PERMISSION_DENIED', `refusing to delete ${info.files.find((_, i) => targets[i] === null)}: not a capture file in its folder`);
    const sidecar = first && lstatOk(sidecarPath(first)) ? [sidecarPath(first)] : [];
    for (const f of [...(targets as string[]), ...sidecar]) {
      try {
        await unlink(f);
        deleted.push(f);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') throw fsFailure(code, f, 'delete');
      }
    }
    return deleted;
  }

  /** Copy a finished capture's files to `path` (numbered when it is a ring), never over an existing file. */
  static async saveAs(info: CaptureInfo, path: string): Promise<string> {
    const dot = path.lastIndexOf('.');
    const hasExt = dot > path.lastIndexOf('/') + 1;
    const stem = hasExt ? path.slice(0, dot) : path;
    const ext = hasExt ? path.slice(dot) : `.${info.format}`;
    const targets = info.files.map((_, i) => (info.files.length === 1 ? path : `${stem}_${i + 1}${ext}`));
    for (let i = 0; i < info.files.length; i++) {
      try {
        await copyFile(info.files[i]!, targets[i]!, fsc.COPYFILE_EXCL);
      } catch (err) {
        throw fsFailure((err as NodeJS.ErrnoException).code, targets[i]!, 'write');
      }
    }
    return targets[0]!;
  }
}

function summarizeSafely(summarize: Summarize, linkType: number, head: Buffer, origLen: number): ReturnType<Summarize> {
  try {
    return summarize(linkType, head, origLen);
  } catch {
    return { src: '', dst: '', protocol: `LINKTYPE ${linkType}`, info: `${origLen} bytes` };
  }
}

function lstatOk(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}
