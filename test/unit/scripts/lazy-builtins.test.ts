// The build's lazy built-ins (scripts/bundle-options.mjs): our own named imports of node:crypto,
// readline and fs/promises load the real module on the first call, not when the bundle loads; a
// value or class import, which a wrapper function cannot stand for, fails the build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { lazyOwnBuiltins } from '../../../scripts/bundle-options.mjs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vs-lazy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(source: string): Promise<string> {
  writeFileSync(path.join(dir, 'entry.ts'), source);
  const outfile = path.join(dir, 'out.cjs');
  await build({ entryPoints: [path.join(dir, 'entry.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent', plugins: [lazyOwnBuiltins] });
  return outfile;
}

describe('lazy built-ins for our own imports', () => {
  it('loads crypto on the first call, not at load, and calls through', async () => {
    const out = await bundle("import { randomUUID } from 'node:crypto';\nexport const id = () => randomUUID();\n");
    const script = `const has = () => process.moduleLoadList.includes('NativeModule crypto');
      const m = require(${JSON.stringify(out)}); const atLoad = has(); const id = m.id();
      console.log(JSON.stringify({ atLoad, id, afterCall: has() }));`;
    const r = spawnSync(process.execPath, ['--input-type=commonjs', '-'], { input: script, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { atLoad: boolean; id: string; afterCall: boolean };
    expect(o.atLoad).toBe(false);
    expect(o.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(o.afterCall).toBe(true);
  });

  it('refuses a value it cannot wrap (fs/promises constants) at build time', async () => {
    await expect(bundle("import { constants } from 'node:fs/promises';\nexport const w = constants.W_OK;\n")).rejects.toThrow(/constants/);
  });
});
