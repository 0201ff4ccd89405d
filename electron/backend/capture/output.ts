// Where a capture's file goes: an explicit path, a folder, or ~/vethscope-captures.
// Writability is checked here as the current (unprivileged) user before any
// tcpdump starts; the helper checks again when it creates the file.
import { constants } from 'node:fs';
import { access, chmod, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { CodedError } from '../../../shared/result';

export function defaultCapturesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VETHSCOPE_CAPTURES_DIR || join(env.HOME || homedir(), 'vethscope-captures');
}

/** 2026-11-26T10-00-00 in local time: sorts, and has no ':' (bad on some filesystems). */
export function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function checkWritableDir(dir: string): Promise<void> {
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CodedError('NOT_FOUND', `folder ${dir} does not exist`);
    throw new CodedError('PERMISSION_DENIED', `you cannot write to ${dir} (${code}): choose another folder`);
  }
}

/**
 * The captures folder holds other people's traffic: only its owner may enter it. Created
 * 0700; one of ours that is still open to others (an older vethscope made it 0755) is
 * closed. A folder someone else owns is left alone (and then refused by the write check).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err) => {
    throw new CodedError('PERMISSION_DENIED', `cannot create ${dir}: ${(err as Error).message}`);
  });
  const st = await stat(dir);
  if (st.uid === process.getuid?.() && (st.mode & 0o077) !== 0) await chmod(dir, st.mode & 0o700);
}

export interface OutputChoice {
  path: string;
  dir: string;
}

/** Decide the absolute output path and check it can be created. */
export async function chooseOutput(
  output: { path?: string; dir?: string } | undefined,
  base: string,
  format: 'pcapng' | 'pcap',
  capturesDir: string,
  now = new Date(),
): Promise<OutputChoice> {
  const ext = `.${format}`;
  let dir: string;
  let file: string | null = null;
  if (output?.path) {
    const p = resolve(output.path);
    const st = await stat(p).catch(() => null);
    if (st?.isDirectory()) dir = p;
    else {
      if (st) throw new CodedError('PERMISSION_DENIED', `${p} already exists: vethscope never overwrites a file, choose another name`);
      dir = dirname(p);
      file = extname(p) ? p : `${p}${ext}`;
    }
  } else if (output?.dir) dir = resolve(output.dir);
  else {
    dir = resolve(capturesDir);
    await ensurePrivateDir(dir);
  }
  await checkWritableDir(dir);
  if (file) return { path: file, dir };
  const stem = `${base}_${stamp(now)}`;
  for (let n = 1; n < 1000; n++) {
    const candidate = join(dir, `${stem}${n === 1 ? '' : `-${n}`}${ext}`);
    if (!(await exists(candidate))) return { path: candidate, dir };
  }
  throw new CodedError('INTERNAL', `no free file name for ${stem} in ${dir}`);
}
