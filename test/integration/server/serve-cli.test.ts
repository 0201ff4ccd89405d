// The built CLI's browser mode, end to end: spawn, read the URL, call the API, SIGTERM.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_HOST } from '../../support/env';

const ROOT = path.resolve(__dirname, '../../..');
const children: ChildProcess[] = [];

function serve(args: string[], script = ['bin/vethscope.cjs', 'serve']) {
  const child = spawn(process.execPath, [...script, ...args], {
    cwd: ROOT,
    env: { ...process.env, DOCKER_HOST },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  // 'close', not 'exit': stderr is fully read by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const firstUrl = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no http line within 15 s; stderr: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout += `${line}\n`;
      if (line.startsWith('http')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before printing a URL; stderr: ${stderr}`)));
  });
  firstUrl.catch(() => {}); // awaited only by the tests that expect a URL
  return { child, firstUrl, exited, stderr: () => stderr, stdout: () => stdout };
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('vethscope serve (built CLI)', () => {
  it('prints a single-use link, answers calls for the session it buys, and exits cleanly on SIGTERM', async () => {
    const s = serve(['--port', '0']);
    const t0 = Date.now();
    const url = new URL(await s.firstUrl);
    const ticket = new URLSearchParams(url.hash.slice(1)).get('ticket')!;
    console.log(`serve printed ${url.origin}/#ticket=<${ticket.length} chars> after ${Date.now() - t0} ms`);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(Buffer.from(ticket, 'base64url')).toHaveLength(32);

    const refused = await fetch(`${url.origin}/api/call/getTopology`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
    const exchange = () => fetch(`${url.origin}/api/session`, { method: 'POST', body: JSON.stringify({ ticket }) });
    const granted = await exchange();
    expect(granted.status).toBe(200);
    const session = ((await granted.json()) as { result: { session: string } }).result.session;
    expect((await exchange()).status).toBe(403); // the link works once
    const res = await fetch(`${url.origin}/api/call/getTopology`, { method: 'POST', body: '{}', headers: { 'x-vethscope-session': session } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; result?: { containers: unknown[]; docker: { available: boolean } } };
    expect(body.ok).toBe(true);
    expect(Array.isArray(body.result!.containers)).toBe(true);
    console.log(`getTopology via browser mode: docker.available=${body.result!.docker.available}, ${body.result!.containers.length} containers`);

    s.child.kill('SIGTERM');
    const code = await Promise.race([s.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    expect(code).toBe(0);
    expect(s.stderr()).toContain('SIGTERM: shutting down');
    expect(s.stderr()).not.toMatch(/Error|at .*\(/);
  });

  it('refuses a non-loopback --host without --allow-remote, saying why', async () => {
    const s = serve(['--host', '0.0.0.0', '--port', '0']);
    expect(await s.exited).toBe(2);
    expect(s.stderr()).toContain('not a loopback address');
    expect(s.stderr()).toContain('--allow-remote');
  });

  it('npm start falls back to browser mode here, says why, and stops on SIGTERM', async () => {
    const s = serve([], ['scripts/start.mjs']);
    const url = new URL(await s.firstUrl);
    expect(new URLSearchParams(url.hash.slice(1)).get('ticket')).toHaveLength(43);
    const why = /not opening the desktop window: (.*)/.exec(s.stderr())?.[1];
    console.log(`npm start: ${why}`);
    expect(why).toBeTruthy();
    s.child.kill('SIGTERM');
    expect(await s.exited, `${s.stdout()}\n${s.stderr()}`).toBe(0);
  });
});
