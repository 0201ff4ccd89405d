// The one way vethscope runs another program: an absolute path, an argv array,
// never a shell. Resolves to the exit status and output; never throws for a
// non-zero exit (callers decide what a failure means).
import { spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
  /** Open fds handed to the child as fd 3, 4, ... The caller still owns (and closes) them. */
  extraFds?: number[];
  /** Aborting kills the child (SIGKILL). */
  signal?: AbortSignal;
}

const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];
const toolCache = new Map<string, string | null>();

/** Absolute path of a system tool, searched only in system directories (not the caller's PATH). */
export function findTool(name: string): string | null {
  if (toolCache.has(name)) return toolCache.get(name) ?? null;
  let found: string | null = null;
  for (const dir of SYSTEM_DIRS) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      found = `${dir}/${name}`;
      break;
    } catch {
      /* not here */
    }
  }
  toolCache.set(name, found);
  return found;
}

export function requireTool(name: string): string {
  const path = findTool(name);
  if (!path) throw new Error(`${name} is not installed (looked in ${SYSTEM_DIRS.join(', ')})`);
  return path;
}

export function execFileResult(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  if (!file.startsWith('/')) return Promise.reject(new Error(`refusing to run a relative path: ${file}`));
  const max = opts.maxOutputBytes ?? 64 << 20;
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe', ...(opts.extraFds ?? [])], env: opts.env ?? process.env, shell: false };
    const child = spawn(file, [...args], spawnOpts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) child.kill('SIGKILL');
      else into.push(chunk);
    };
    child.stdout!.on('data', collect(out));
    child.stderr!.on('data', collect(err));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    const kill = () => child.kill('SIGKILL');
    if (opts.signal?.aborted) kill();
    opts.signal?.addEventListener('abort', kill, { once: true });
    const done = () => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
  });
}

/** Run `items` through `fn` with at most `limit` in flight, keeping order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
