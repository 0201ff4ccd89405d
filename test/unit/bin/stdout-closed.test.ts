// `vethscope topology --json | head`: the reader goes away; the CLI ends quietly (141, as on SIGPIPE).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const launcher = resolve(__dirname, '../../../bin/vethscope.cjs');
const built = existsSync(resolve(__dirname, '../../../dist/cli.cjs'));

describe.skipIf(!built)('the CLI when its stdout closes', () => {
  it('ends with 141 and no stack trace (was: exit 1 and an unhandled EPIPE error)', async () => {
    // No Docker (a socket that is not there): the host's own namespace is still printed.
    const child = spawn(process.execPath, [launcher, 'topology', '--json'], { env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(status).toBe(141);
  });
});
