// Where a tcpdump's pcap stream arrives: a FIFO in a folder only this user can enter.
// The root helper starts tcpdump as this user with `-w FIFO`, so the kernel checks the
// user's own permissions when tcpdump opens it; we hold the read end.
import { closeSync, fstatSync, mkdtempSync, open, openSync, constants, rmSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedError, fsFailure } from '../../../../shared/result';
import { execFileResult, requireTool } from '../../../util/exec';

/** One private folder (mkdtemp: 0700) per backend for the FIFOs of its captures. */
export class FifoDir {
  private dir: string | null = null;
  private next = 0;

  private get path(): string {
    this.dir ??= mkdtempSync(join(process.env.XDG_RUNTIME_DIR?.startsWith('/') ? process.env.XDG_RUNTIME_DIR : tmpdir(), 'vethscope-'));
    return this.dir;
  }

  /** A new FIFO (mode 0600), opened for reading: tcpdump's open for writing then never blocks. */
  async open(label: string): Promise<{ path: string; socket: Socket }> {
    const path = join(this.path, `${String(this.next++).padStart(4, '0')}-${label.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}.pcap`);
    const r = await execFileResult(requireTool('mkfifo'), ['-m', '0600', '--', path], { timeoutMs: 5000 });
    if (r.code !== 0) throw new CodedError('INTERNAL', `mkfifo ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
    // O_NONBLOCK: opening the read end must not wait for a writer. Until tcpdump opens the
    // other end the kernel reports no hang-up (a FIFO never written to is not at EOF).
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    return { path, socket: new Socket({ fd, readable: true, writable: false }) };
  }

  remove(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/**
 * An existing FIFO someone else reads (Wireshark's extcap FIFO), opened for writing once its
 * reader has it open: probed with O_NONBLOCK (ENXIO until then), refused unless it is a FIFO,
 * then opened again blocking, so a full pipe waits for its reader (in a worker thread, never
 * the event loop) rather than failing. Nothing is created, truncated or followed.
 */
export async function openFifoWriter(path: string, waitMs = 30_000): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let probe: number;
    try {
      probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENXIO') throw fsFailure(code, path, 'open');
      if (Date.now() >= deadline) throw new CodedError('TARGET_GONE', `nobody opened ${path} for reading within ${waitMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    try {
      if (!fstatSync(probe).isFIFO()) throw new CodedError('INVALID_INPUT', `${path} is not a FIFO: vethscope streams only into a FIFO its reader made`);
      return await new Promise<number>((resolve, reject) => open(path, constants.O_WRONLY | constants.O_NOFOLLOW, (err, fd) => (err ? reject(fsFailure(err.code, path, 'open')) : resolve(fd))));
    } finally {
      closeSync(probe);
    }
  }
}
