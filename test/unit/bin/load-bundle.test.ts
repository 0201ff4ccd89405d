// The launcher's code cache: used only when it was made from exactly this bundle, and only from
// a file nobody else could have written; a stale, planted or linked cache is never run.
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const LOADER = resolve(__dirname, '../../../bin/load-bundle.cjs');
let dir: string;
let bundle: string;
const cache = () => `${bundle}.v8cache`;
const bundleSaying = (word: string) => `'use strict';\nexports.say = () => ${JSON.stringify(word)};\n${'// padding\n'.repeat(50)}`;
const run = (command = '', call = 'say') => {
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(LOADER)}).loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(command)}).${call}())`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const header = () => readFileSync(cache()).toString('latin1').split('\n')[0]!;
/** Two "commands", each with code the other never runs. */
const twoCommands = () => {
  const body = (name: string) => `exports.${name} = () => { let s = ''; for (let i = 0; i < 3; i++) s += [${Array.from({ length: 200 }, (_, i) => `'${name}${i}'`).join(',')}][i]; return s; };`;
  return `'use strict';\nexports.say = () => 'x';\n${body('topology')}\n${body('capture')}\n`;
};

describe('loadBundle (bin/load-bundle.cjs)', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vs-loader-'));
    bundle = join(dir, 'b.cjs');
    writeFileSync(bundle, bundleSaying('alpha'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the cache on the first run and reads it (unchanged) on the next', () => {
    expect(run()).toBe('alpha');
    const first = statSync(cache());
    expect(first.mode & 0o777).toBe(0o644);
    // Its first line: the bundle's checksum and length (CRC-32 where zlib has it, else SHA-256).
    const key = header();
    expect(key).toMatch(typeof zlibCrc32 === 'function' ? /^crc32:[0-9a-f]{1,8}:\d+$/ : /^sha256:[0-9a-f]{64}$/);
    expect(run()).toBe('alpha');
    expect(statSync(cache()).mtimeMs).toBe(first.mtimeMs);
  });

  it('a command the cache has not seen rewrites it once, keeping what both compiled', () => {
    writeFileSync(bundle, twoCommands());
    expect(run('topology', 'topology')).toBe('topology0topology1topology2');
    expect(header()).toMatch(/ ran=topology$/);
    const afterTopology = statSync(cache());
    // The same command again: the cache is used as it is.
    run('topology', 'topology');
    expect(statSync(cache()).mtimeMs).toBe(afterTopology.mtimeMs);
    // Another: written once more, naming both, and holding more compiled code than before.
    expect(run('capture', 'capture')).toBe('capture0capture1capture2');
    expect(header()).toMatch(/ ran=topology,capture$/);
    expect(statSync(cache()).size).toBeGreaterThan(afterTopology.size);
    const afterBoth = statSync(cache()).mtimeMs;
    run('capture', 'capture');
    run('topology', 'topology');
    expect(statSync(cache()).mtimeMs).toBe(afterBoth);
    // Not a command (an option, a path, nothing): no rewrite for it.
    for (const notOne of ['--json', '../x', '']) run(notOne);
    expect(statSync(cache()).mtimeMs).toBe(afterBoth);
  });

  it('a rebuilt bundle of the same length never runs the old code (V8 alone checks only the length)', () => {
    run();
    const before = readFileSync(cache());
    writeFileSync(bundle, bundleSaying('omega')); // same length as 'alpha'
    expect(run()).toBe('omega');
    expect(readFileSync(cache()).equals(before)).toBe(false); // rewritten for the new bundle
  });

  it('a cache others could write, or a link, is not believed (and is replaced by our own)', () => {
    run();
    const good = readFileSync(cache());
    // Planted: the right digest, then data from elsewhere, writable by anyone.
    writeFileSync(cache(), Buffer.concat([good.subarray(0, 65), Buffer.alloc(4096, 0x41)]));
    chmodSync(cache(), 0o666);
    expect(run()).toBe('alpha');
    expect(statSync(cache()).mode & 0o777).toBe(0o644);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    rmSync(cache());
    symlinkSync(victim, cache());
    expect(run()).toBe('alpha');
    expect(readFileSync(victim, 'utf8')).toBe('keep'); // replaced by rename, never written through
    expect(lstatSync(cache()).isSymbolicLink()).toBe(false);
  });
});
