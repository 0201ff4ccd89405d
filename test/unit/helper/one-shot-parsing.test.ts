// The helper parses each request once: it runs no parser zod compiles (`new Function`), which cost
// more than they saved there (shared/one-shot-parsing.ts) and is code generated inside the root process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const helper = resolve(__dirname, '../../../dist/helper.cjs');

// Preloaded into the helper: counts functions built from source text, printed at exit.
const HOOK = `
const real = globalThis.Function;
let built = 0;
globalThis.Function = new Proxy(real, { construct(t, a, n) { built++; return Reflect.construct(t, a, n); } });
process.on('exit', () => process.stderr.write('\\nCOMPILED ' + built + '\\n'));
`;

describe.skipIf(!existsSync(helper))('the helper bundle', () => {
  it('answers requests with object parameters without compiling a parser', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-helper-jit-'));
    try {
      const hook = join(dir, 'hook.cjs');
      writeFileSync(hook, HOOK);
      // Each parsed by an object schema: hello's, and stopCapture's (an unknown capture: an error reply).
      const input = [{ id: 1, op: 'hello', params: {} }, { id: 2, op: 'stopCapture', params: { captureId: 'no-such-capture' } }].map((r) => JSON.stringify(r)).join('\n') + '\n';
      const who = `${process.getuid!()}:${process.getgid!()}`;
      const r = spawnSync(process.execPath, ['-r', hook, helper, '--user', who], { input, encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C' }, timeout: 10_000 });
      const replies = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: number; ok?: boolean });
      expect(replies.find((x) => x.id === 1)?.ok, r.stdout + r.stderr).toBe(true);
      expect(replies.find((x) => x.id === 2)?.ok, r.stdout + r.stderr).toBe(false);
      expect(/COMPILED (\d+)/.exec(r.stderr)?.[1], r.stderr).toBe('0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
