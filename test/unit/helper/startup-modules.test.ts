// What every helper start pays before its first request: node:http (5-9 ms to load) only for the
// Docker-socket listing, which most helpers never make, so it is loaded on first use.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const helper = resolve(__dirname, '../../../dist/helper.cjs');

describe.skipIf(!existsSync(helper))('the helper bundle at start', () => {
  it('loads child_process but not http', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-helper-modules-'));
    try {
      // Preloaded: prints the modules Node loaded, whatever way the helper ends (no client: stdin is empty).
      const hook = join(dir, 'hook.cjs');
      writeFileSync(hook, `process.on('exit', () => process.stderr.write('\\nMODULES ' + JSON.stringify(process.moduleLoadList) + '\\n'));`);
      const r = spawnSync(process.execPath, ['-r', hook, helper], { input: '', encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C' } });
      const line = r.stderr.split('\n').find((l) => l.startsWith('MODULES '));
      expect(line, r.stderr).toBeDefined();
      const loaded = (JSON.parse(line!.slice('MODULES '.length)) as string[]).map((m) => m.replace(/^NativeModule /, ''));
      expect(loaded).toContain('child_process');
      expect(loaded).not.toContain('http');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
