// What loading the CLI bundle costs every command: Node's TLS and HTTPS (~10 ms, for dockerode's TLS
// hosts and the WebSocket server's outgoing sockets), crypto (~7 ms: capture ids, browser-mode
// secrets, the loader's old SHA-256), readline and fs/promises (~2 ms) and ws are loaded on first
// use, not at start. zlib is the loader's, for the code cache's CRC-32 (~1.5 ms).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bundle = resolve(__dirname, '../../../dist/cli.cjs');
const loader = resolve(__dirname, '../../../bin/load-bundle.cjs');

function loadedByTheBundle(): { loaded: string[]; runCli: string } {
  const script = `
    const before = new Set(process.moduleLoadList);
    const cli = require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)});
    const loaded = process.moduleLoadList.filter((m) => !before.has(m)).map((m) => m.replace(/^NativeModule /, ''));
    console.log(JSON.stringify({ loaded, runCli: typeof cli.runCli }));`;
  // A file, not -e: node -e loads crypto itself before any of our code runs.
  const r = spawnSync(process.execPath, ['--input-type=commonjs', '-'], { input: script, encoding: 'utf8' });
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
