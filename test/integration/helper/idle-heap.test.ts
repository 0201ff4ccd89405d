// A capture mostly waits: the helper and the CLI idle for as long as it runs. V8's memory
// reducer would then run full GCs of heaps that hold no garbage (about 8 s after start-up, and
// again soon after): 44 of an idle helper's 48 ms of CPU over 8 s. Node is started with
// --no-memory-reducer for both: the helper by its launch plan, the CLI by its launcher's #! line.
// Real processes, real V8: --trace-gc names each GC, and "(reduce)" is the reducer's.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_IDLE_FLAG } from '../../../electron/util/node-flags';
import { buildHelper } from './helper-fixture';

const ROOT = resolve(__dirname, '../../..');
/** Past the reducer's first run (8 s after the heap first grew) and its follow-up. */
const IDLE_MS = 10_500;
const dir = mkdtempSync(join(tmpdir(), 'vs-idle-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const helper = buildHelper();

/**
 * The helper under --trace-gc, asked for one namespace scan (its heap grows as a capture's would),
 * then idle with its stdin (its client) open for IDLE_MS; the GC lines V8 printed.
 */
function helperGcLines(nodeFlags: string[]): Promise<string[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--trace-gc', ...nodeFlags, helper], { env: { PATH: process.env.PATH, LANG: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(`${JSON.stringify({ id: 1, op: 'scanNamespaces', params: {} })}\n`);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', () => done(out.split('\n').filter((l) => /Mark-Compact|Scavenge/.test(l))));
    setTimeout(() => child.stdin.end(), IDLE_MS); // no client: the helper ends
  });
}

describe('an idle capture process runs no memory-reducer GCs', () => {
  it.concurrent('the root helper, started with the launch plan flag, idle with its client attached', async () => {
    // Both at once: the same helper without the flag shows what the flag prevents, on this V8.
    const [withFlag, without] = await Promise.all([helperGcLines([NODE_IDLE_FLAG]), helperGcLines([])]);
    expect(without.filter((l) => /\(reduce\)/.test(l)).length, `without ${NODE_IDLE_FLAG}, V8 ran no reducer GC: ${without.join('\n')}`).toBeGreaterThan(0);
    expect(withFlag.length, 'V8 printed no GC at all').toBeGreaterThan(0);
    expect(withFlag.filter((l) => /\(reduce\)/.test(l))).toEqual([]);
  }, 30_000);

  it.concurrent('the CLI launcher, run as a program, starts node with the flag', async () => {
    const child = spawn(join(ROOT, 'bin/vethscope.cjs'), ['serve', '--port', '0', '--captures-dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((ready, fail) => {
        child.stdout.on('data', (d: Buffer) => /http/.test(d.toString()) && ready());
        child.on('exit', (code) => fail(new Error(`serve exited ${code}`)));
      });
      // env -S execs node in its own place: the serving process is node itself.
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 3)).toEqual([NODE_IDLE_FLAG, join(ROOT, 'bin/vethscope.cjs')]);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
