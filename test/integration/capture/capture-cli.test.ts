// `vethscope capture` end to end: the built CLI, the real helper, tshark on the result.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, removeSuiteContainers, runContainer, SKIP_REASON, testEnv } from '../../support/env';
import { ipOf, pingAsync, runToEnd, tsharkFrames, waitFor } from './harness';

const SUITE = 'vsc-cap-cli';
const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'bin/vethscope.cjs');

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* exited */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function cli(args: string[], timeoutMs = 30_000) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { env: testEnv(), encoding: 'utf8', timeout: timeoutMs });
  return { ...r, ms: Date.now() - t0 };
}

describe.skipIf(!isRoot)(`capture CLI (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let dir: string;
  let peerIp: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsc-cc-a');
    runContainer(SUITE, 'vsc-cc-b');
    peerIp = ipOf('vsc-cc-b');
    dir = mkdtempSync(join(tmpdir(), 'vsc-cap-cli-'));
  });
  afterAll(() => {
    removeSuiteContainers(SUITE);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('capture NAME --count 10 -o DIR exits 0 and prints the path of a 10-packet file', async () => {
    const traffic = pingAsync('vsc-cc-a', peerIp, 40, '0.1');
    const r = await runToEnd([process.execPath, BIN, 'capture', 'vsc-cc-a', '--count', '10', '-o', `${dir}/`], { env: testEnv() });
    await traffic;
    expect(r.code, r.err).toBe(0);
    const path = r.out.trim();
    expect(path).toMatch(new RegExp(`^${dir}/vsc-cc-a_.*\\.pcapng$`));
    expect(tsharkFrames(path)).toHaveLength(10);
    expect(r.err).toMatch(/stopped \(count\): 10 packets/);
  });

  it('--duration 2 stops by itself', () => {
    const r = cli(['capture', 'vsc-cc-a', '--duration', '2', '-o', `${dir}/`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.ms).toBeGreaterThanOrEqual(1900);
    expect(r.ms).toBeLessThan(8000);
    expect(r.stderr).toMatch(/stopped \(duration\)/);
    tsharkFrames(r.stdout.trim());
  });

  it('exits 2 for an unknown target and 1 for a bad filter, with a message', () => {
    const nf = cli(['capture', 'vsc-cc-nope']);
    expect(nf.status).toBe(2);
    expect(nf.stderr).toMatch(/no container named.*vsc-cc-nope/);
    const bad = cli(['capture', 'vsc-cc-a', '--filter', 'port port']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/BAD_FILTER/);
    const usage = cli(['capture', 'vsc-cc-a', '--count', 'ten']);
    expect(usage.status).toBe(2);
  });

  it('SIGTERM ends cleanly; SIGKILL leaves no helper or tcpdump behind after 2 s', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const child = spawn(process.execPath, [BIN, 'capture', 'vsc-cc-a', '-o', `${dir}/`], { env: testEnv() });
      let err = '';
      let out = '';
      child.stderr.on('data', (d) => (err += d));
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await waitFor('the capture to start', () => err.includes('capturing '), 15_000);
      const tree = descendants(child.pid!);
      expect(tree.length).toBeGreaterThan(0); // the helper and its tcpdump
      child.kill(signal);
      const code = await exited;
      if (signal === 'SIGTERM') {
        expect(code, err).toBe(0);
        expect(out.trim()).toMatch(/\.pcapng$/);
        tsharkFrames(out.trim());
      }
      await new Promise((r) => setTimeout(r, 2000));
      expect(tree.filter(alive), `${signal}: left behind`).toEqual([]);
    }
  });
});
