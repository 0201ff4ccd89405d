// Ctrl+C on `npm start` (browser mode): the terminal signals the whole foreground process
// group, so scripts/start.mjs must not pass its own SIGINT on to `vethscope serve`, which got
// one already; a second one makes serve skip its clean shutdown (issue 14). On a real
// pseudo-terminal (util-linux `script`), Ctrl+C typed as the byte ^C.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKER_HOST } from '../../support/env';
// @ts-expect-error plain ESM script without types
import { inForegroundGroup, shouldForward } from '../../../scripts/start.mjs';

const ROOT = path.resolve(__dirname, '../../..');
const captures = mkdtempSync(path.join(tmpdir(), 'vsu-start-'));
afterAll(() => rmSync(captures, { recursive: true, force: true }));

function startOnTerminal() {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST, VETHSCOPE_NO_BUILD: '1' };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const cmd = `exec ${process.execPath} scripts/start.mjs --port 0 --captures-dir ${captures}`;
  const term = spawn('script', ['-q', '-f', '-e', '-E', 'never', '-c', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  term.stdout!.on('data', (d) => (output += String(d)));
  term.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => term.once('close', (code) => resolve(code)));
  return { term, exited, output: () => output };
}

describe('npm start, Ctrl+C', () => {
  it('shuts browser mode down cleanly, once', async () => {
    const s = startOnTerminal();
    const deadline = Date.now() + 30_000;
    while (!/Ctrl\+C stops/.test(s.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(s.output()).toMatch(/starting browser mode instead/);
    expect(s.output()).toMatch(/Ctrl\+C stops/);
    s.term.stdin!.write('\x03');
    const code = await s.exited;
    const out = s.output();
    expect(out.match(/SIGINT: shutting down/g)).toHaveLength(1);
    expect(out).not.toMatch(/again: exiting without a clean shutdown/);
    expect(out).not.toMatch(/ended by SIGINT/);
    expect(code).toBe(0);
  }, 60_000);

  it('passes on what only reached start.mjs (SIGTERM, or a SIGINT when not in the foreground)', () => {
    expect(shouldForward('SIGTERM', true)).toBe(true);
    expect(shouldForward('SIGINT', false)).toBe(true);
    expect(shouldForward('SIGINT', true)).toBe(false);
    // pgrp (field 5) equal to the terminal's foreground group (field 8)
    expect(inForegroundGroup('42 (node (x)) S 1 42 42 34816 42 4194560')).toBe(true);
    expect(inForegroundGroup('42 (node) S 1 42 42 34816 77 4194560')).toBe(false);
    expect(inForegroundGroup('42 (node) S 1 42 42 0 -1 4194560')).toBe(false);
  });
});
