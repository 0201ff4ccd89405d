// What loading the CLI bundle costs every command: Node's TLS and HTTPS (~10 ms, for dockerode's TLS
// hosts and the WebSocket server's outgoing sockets), crypto (~7 ms: capture ids, browser-mode
// secrets, the loader's old SHA-256), readline and fs/promises (~2 ms) and ws are loaded on first
// use, not at start. zlib is the loader's, for the code cache's CRC-32 (~1.5 ms).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bundle = resolve(__dirname, '../../../dist/cli.cjs');
const loader = resolve(__dirname, '../../../bin/load-bundle.cjs');

// The real dist/cli.cjs.v8cache is never written here: a cache made by a test's run holds only what
// that run compiled (a topology without Docker: none of the Docker client), and every later command
// would compile the rest again. The loader's test loads a copy; the command's runs the bundle plainly.
function loadedByTheBundle(): { loaded: string[]; runCli: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vs-startup-'));
  const copy = join(dir, 'cli.cjs');
  copyFileSync(bundle, copy);
  const script = `
    const before = new Set(process.moduleLoadList);
    const cli = require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(copy)});
    const loaded = process.moduleLoadList.filter((m) => !before.has(m)).map((m) => m.replace(/^NativeModule /, ''));
    console.log(JSON.stringify({ loaded, runCli: typeof cli.runCli }));`;
  // A file, not -e: node -e loads crypto itself before any of our code runs.
  const r = spawnSync(process.execPath, ['--input-type=commonjs', '-'], { input: script, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { loaded: string[]; runCli: string };
}

describe.skipIf(!existsSync(bundle))('the CLI bundle at start', () => {
  it('loads neither tls, https, crypto, readline nor fs/promises (the WebSocket e2e and the Docker and capture integration tests use them through the bundle)', () => {
    const { loaded, runCli } = loadedByTheBundle();
    expect(runCli).toBe('function');
    expect(loaded).toContain('http');
    for (const m of ['tls', 'https', '_tls_wrap', 'crypto', 'readline', 'fs/promises']) expect(loaded, m).not.toContain(m);
  });
});

describe.skipIf(!existsSync(bundle))('a topology command', () => {
  it('loads neither perf_hooks (to time itself), crypto nor fs/promises on the way', () => {
    // No Docker answers at this socket: discovery still scans, names from the host's files, and builds the map.
    const script = `
      const cli = require(${JSON.stringify(bundle)});
      const before = new Set(process.moduleLoadList);
      cli.runCli(['topology', '--json'], { out() {}, err() {}, isTTY: false }).then((status) => {
        const loaded = process.moduleLoadList.filter((m) => !before.has(m)).map((m) => m.replace(/^NativeModule /, ''));
        console.log(JSON.stringify({ status, loaded }));
      });`;
    const r = spawnSync(process.execPath, ['--input-type=commonjs', '-'], { input: script, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/vethscope-test.sock' } });
    expect(r.status, r.stderr).toBe(0);
    const { status, loaded } = JSON.parse(r.stdout) as { status: number; loaded: string[] };
    expect(status).toBe(0);
    for (const m of ['perf_hooks', 'crypto', 'fs/promises']) expect(loaded, m).not.toContain(m);
  });
});
