// A capture mostly waits: the helper and the CLI idle for as long as it runs. V8's memory
// reducer would then run full GCs of heaps that hold no garbage (about 8 s after start-up,
// and again soon after): 44 ms of an idle helper's CPU in an 8 s capture. Both processes turn
// that trigger off before their bundle fills the heap (electron/util/idle-heap.ts, and
// bin/load-bundle.cjs for the CLI). Real processes, real V8: --trace-gc names each GC.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHelper } from './helper-fixture';

const ROOT = resolve(__dirname, '../../..');
/** Past the reducer's first run (8 s after the heap first grew) and its follow-up. */
const IDLE_MS = 10_500;
const dir = mkdtempSync(join(tmpdir(), 'vs-idle-heap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `args` under --trace-gc with stdin held open for IDLE_MS; resolves the GC lines V8 printed. */
function gcLines(args: string[]): Promise<string[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--trace-gc', ...args], { env: { PATH: process.env.PATH, LANG: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', () => done(out.split('\n').filter((l) => /Mark-Compact|Scavenge/.test(l))));
    // The helper lives as long as its stdin: closing it ends the process.
    setTimeout(() => child.stdin.end(), IDLE_MS);
  });
}

describe('an idle capture process runs no memory-reducer GCs', () => {
  it.concurrent('the root helper, idle with its client attached', async () => {
    const lines = await gcLines([buildHelper()]);
    expect(lines.length, 'V8 printed no GC at all: --trace-gc did not reach the helper').toBeGreaterThan(0);
    expect(lines.filter((l) => /\(reduce\)/.test(l))).toEqual([]);
  }, 30_000);

  it.concurrent('the CLI bundle, loaded by the launcher as every command is', async () => {
    // A copy, so this run's code cache (made under --trace-gc) never replaces dist's own.
    const bundle = join(dir, 'cli.cjs');
    copyFileSync(join(ROOT, 'dist/cli.cjs'), bundle);
    const loader = join(ROOT, 'bin/load-bundle.cjs');
    const lines = await gcLines(['-e', `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)}); process.stdin.resume()`]);
    expect(lines.length, 'V8 printed no GC at all').toBeGreaterThan(0);
    expect(lines.filter((l) => /\(reduce\)/.test(l))).toEqual([]);
  }, 30_000);
});
