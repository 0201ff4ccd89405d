// vethscope's version for section comments and status: read from the package.json
// above this file (source tree under tsx, or dist/ next to it once bundled).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | null = null;

export function vethscopeVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vethscope' && pkg.version) return (cached = pkg.version);
    } catch {
      /* keep walking up */
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0-unknown');
}
