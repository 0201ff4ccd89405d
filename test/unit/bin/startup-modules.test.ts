// What loading the CLI bundle costs every command: Node's TLS, HTTPS and zlib modules (~10 ms, for
// dockerode's TLS hosts and build contexts, and the WebSocket server's outgoing and compressed
// sockets) are loaded on first use, not at start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bundle = resolve(__dirname, '../../../dist/cli.cjs');
const loader = resolve(__dirname, '../../../bin/load-bundle.cjs');

describe.skipIf(!existsSync(bundle))('the CLI bundle at start', () => {
  it('loads neither tls, https nor zlib (the WebSocket e2e and the Docker integration tests use them through the bundle)', () => {
    const script = `
      const before = new Set(process.moduleLoadList);
      const cli = require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)});
      const loaded = process.moduleLoadList.filter((m) => !before.has(m)).map((m) => m.replace(/^NativeModule /, ''));
      console.log(JSON.stringify({ loaded, runCli: typeof cli.runCli }));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { loaded, runCli } = JSON.parse(r.stdout) as { loaded: string[]; runCli: string };
    expect(runCli).toBe('function');
    expect(loaded).toContain('http');
    for (const m of ['tls', 'https', 'zlib', '_tls_wrap']) expect(loaded, m).not.toContain(m);
  });
});
