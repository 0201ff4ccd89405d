// One-shot processes parse without zod's compiled parsers (shared/one-shot-parsing.ts): same
// results, no `new Function` per object schema. The CLI sets it for every command but serve.
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { useOneShotParsing } from '../../../shared/one-shot-parsing';
import { runCli } from '../../../electron/front-doors/cli/main';

/** How many functions were built from source text (zod compiles its parsers with `new Function`) while `fn` ran. */
function functionsCompiledDuring(fn: () => void): number {
  const real = globalThis.Function;
  let built = 0;
  globalThis.Function = new Proxy(real, {
    construct(target, args, newTarget) {
      built++;
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  try {
    fn();
  } finally {
    globalThis.Function = real;
  }
  return built;
}

const shape = () => z.object({ name: z.string().max(8), port: z.number().int(), tags: z.array(z.string()).optional() });
const good = { name: 'web-1', port: 80, tags: ['a'] };
const bad = { name: 'far-too-long-a-name', port: 1.5 };

afterEach(() => {
  z.config({ jitless: false }); // what this process had before
});

describe('useOneShotParsing', () => {
  it('parses as before, without compiling a parser', () => {
    const compiled = shape();
    let before: unknown;
    // The probe sees zod's compiling: without the setting, the first parse builds a function.
    expect(functionsCompiledDuring(() => (before = compiled.parse(good)))).toBeGreaterThan(0);
    const beforeIssues = compiled.safeParse(bad).error?.issues;

    useOneShotParsing();
    const interpreted = shape();
    let after: unknown;
    expect(functionsCompiledDuring(() => (after = interpreted.parse(good)))).toBe(0);
    expect(after).toEqual(before);
    expect(interpreted.safeParse(bad).error?.issues).toEqual(beforeIssues);
  });
});

describe('the CLI', () => {
  const io = () => ({ out: () => undefined, err: () => undefined, isTTY: false });
  it('parses one-shot for a command (here a usage error: nothing else starts)', async () => {
    expect(z.config().jitless).toBeFalsy();
    expect(await runCli(['veth'], io())).toBe(2);
    expect(z.config().jitless).toBe(true);
  });

  it('keeps compiled parsers for serve, which runs for hours', async () => {
    expect(await runCli(['serve', '--no-such-option'], io())).toBe(2);
    expect(z.config().jitless).toBeFalsy();
  });
});
