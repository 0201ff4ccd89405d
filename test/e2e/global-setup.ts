// Build if needed, start the private dockerd (idempotent), start two servers:
// the real one, and one whose DOCKER_HOST points at a missing socket (Docker-unreachable state).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOCKER_HOST, SKIP_REASON, isRoot } from '../support/env';
import { startServe } from './servers';

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

export default async function globalSetup() {
  if (!isRoot) {
    console.log(`[e2e] skipping: ${SKIP_REASON}`);
    process.env.VSU_E2E_SKIP = SKIP_REASON;
    return;
  }
  const index = 'dist/renderer/index.html';
  const stale = !existsSync(index) || !existsSync('dist/cli.cjs') || newestMtime('renderer') > statSync(index).mtimeMs;
  if (stale) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  execFileSync('bash', ['test/support/daemon.sh', 'start'], { stdio: 'inherit' });

  const capturesDir = mkdtempSync(path.join(os.tmpdir(), 'vsu-e2e-captures-'));
  const real = await startServe({ ...process.env, DOCKER_HOST }, capturesDir);
  const down = await startServe({ ...process.env, DOCKER_HOST: 'unix:///tmp/vsu-e2e-no-such-docker.sock' }, capturesDir);
  process.env.VSU_URL = real.url;
  process.env.VSU_BASE = real.base;
  process.env.VSU_TOKEN = real.token;
  process.env.VSU_DOWN_URL = down.url;
  process.env.VSU_CAPTURES_DIR = capturesDir;
  return async () => {
    for (const s of [real, down]) s.child.kill('SIGTERM');
    rmSync(capturesDir, { recursive: true, force: true });
  };
}
