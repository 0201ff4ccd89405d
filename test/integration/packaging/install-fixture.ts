// Shared by the suites that need the installed helper (sudo-path, capture-sudo,
// install-helper): a self-contained copy of the CLI and helper bundles in a folder of
// the test's own (the shared dist/ is other engineers' to build), and the reasons a
// suite must not install over what is already there.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { LIB_DIR } from '../../../electron/install/layout';

export const ROOT = resolve(__dirname, '../../..');

export interface Checkout {
  dir: string;
  cli: string;
  helper: string;
}

/** `dir`/dist/{cli,helper}.cjs and a package.json naming vethscope: what a built checkout has. */
export function buildCheckout(dir: string): Checkout {
  mkdirSync(join(dir, 'dist'), { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  const common: BuildOptions = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'error', external: ['electron', 'cpu-features', '*.node'] };
  const cli = join(dir, 'dist', 'cli.cjs');
  const helper = join(dir, 'dist', 'helper.cjs');
  buildSync({ ...common, entryPoints: [resolve(ROOT, 'electron/front-doors/cli/main.ts')], outfile: cli });
  buildSync({ ...common, entryPoints: [resolve(ROOT, 'electron/root-helper/main.ts')], outfile: helper });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'vethscope', version: '0.0.0-test', private: true }));
  for (const f of [cli, helper, join(dir, 'package.json')]) chmodSync(f, 0o644);
  chmodSync(join(dir, 'dist'), 0o755);
  return { dir, cli, helper };
}

/** Why this suite must not install the helper now, or null. */
export function installBlocker(): string | null {
  if (spawnSync('dpkg-query', ['-W', 'vethscope']).status === 0) return 'the vethscope package is installed: its helper is apt\'s';
  if (existsSync(LIB_DIR)) return `${LIB_DIR} exists already (another install): not ours to replace`;
  return null;
}
