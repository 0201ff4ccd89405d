// Build what is stale and start the private dockerd (idempotent). The `vethscope serve`
// processes are worker fixtures (fixtures.ts): a test presses Enter on their terminal for a
// link of its own, which a process started here could not offer the workers.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SKIP_REASON, isRoot } from '../support/env';

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
  // Each bundle is rebuilt when its sources are newer (VSU_E2E_NO_BUILD=1: test the bundles as they are).
  const stale = (out: string, dirs: string[]) => !existsSync(out) || Math.max(...dirs.map(newestMtime)) > statSync(out).mtimeMs;
  if (!process.env.VSU_E2E_NO_BUILD) {
    if (stale('dist/renderer/index.html', ['renderer', 'shared'])) execFileSync('npm', ['run', 'build:renderer'], { stdio: 'inherit' });
    if (stale('dist/cli.cjs', ['electron', 'shared'])) execFileSync('npm', ['run', 'build:node'], { stdio: 'inherit' });
  }
  execFileSync('bash', ['test/support/daemon.sh', 'start'], { stdio: 'inherit' });
}
