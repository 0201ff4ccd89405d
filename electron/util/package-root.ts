// Where vethscope is installed: the folder holding its package.json, found by walking up
// from this file (the source tree under tsx, or dist/ beside it once bundled).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: { root: string | null; version: string } | null = null;

function find(): { root: string | null; version: string } {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vethscope' && pkg.version) return (cached = { root: dir, version: pkg.version });
    } catch {
      /* keep walking up */
    }
    dir = dirname(dir);
  }
  return (cached = { root: null, version: '0.0.0-unknown' });
}

export const vethscopeVersion = (): string => find().version;

/** A path inside the built output (dist/...), or beside this bundle when no package.json is found. */
export function distPath(...parts: string[]): string {
  const root = find().root;
  return root ? join(root, 'dist', ...parts) : join(__dirname, ...parts);
}
